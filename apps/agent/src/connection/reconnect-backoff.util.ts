/**
 * Reconnect delays: exponential backoff with full jitter (AWS architecture blog, "Exponential
 * Backoff And Jitter"): the n-th retry waits a uniformly random time in [0, min(cap, base * 2^n)).
 * Full jitter spreads a fleet of agents that lost the same controller replica at the same moment.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** A stream that lived longer than this was healthy: the next failure starts from attempt 0. */
  resetAfterMs: number;
}

/**
 * Capped at 8 s: after a controller restart (or a healed partition) an agent retries at a uniformly
 * random moment of every 8 s, so the fleet is back within about 8 s of the controller being ready —
 * the restart profile showed the controller mostly idle while agents slept out a 30 s ceiling —
 * while a thousand agents still spread to ~125 attempts a second (cheap refusals while it is down).
 */
export const DEFAULT_BACKOFF_POLICY: BackoffPolicy = { baseMs: 500, capMs: 8_000, resetAfterMs: 30_000 };

/** Upper bound of the delay for a given attempt (0-based). */
export function backoffCeilingMs(attempt: number, policy: BackoffPolicy): number {
  // 2^attempt overflows to Infinity for large attempts; min() keeps the cap.
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
}

/** `random` returns a number in [0, 1), like Math.random. */
export function fullJitterDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  return Math.floor(random() * backoffCeilingMs(attempt, policy));
}

export class ReconnectBackoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF_POLICY,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; every call counts as one more failed attempt. */
  nextDelayMs(): number {
    const delay = fullJitterDelayMs(this.attempt, this.policy, this.random);
    this.attempt += 1;
    return delay;
  }

  /** Report how long the last connection lived, so a long healthy stream resets the backoff. */
  connectionEnded(livedMs: number): void {
    if (livedMs > this.policy.resetAfterMs) this.attempt = 0;
  }

  reset(): void {
    this.attempt = 0;
  }

  get failedAttempts(): number {
    return this.attempt;
  }
}
