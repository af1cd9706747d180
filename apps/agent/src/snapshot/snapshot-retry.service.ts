import { backoffCeilingMs } from '../connection/reconnect-backoff.util';
import type { AgentLogger } from '../logger';
import type { IncomingSnapshot, SnapshotAnswer, SnapshotOutcome } from './snapshot-applier.service';
import { answerFor } from './snapshot-applier.service';

export interface ApplyRetryPolicy {
  /** Ceiling of the first retry's delay; doubles with every failed retry up to capMs. */
  baseMs: number;
  capMs: number;
  /**
   * Local changes retry at once, but never sooner than this after the previous attempt: a cluster
   * whose inventory changes every second must not turn into an apply every second.
   */
  minIntervalMs: number;
}

export const DEFAULT_APPLY_RETRY_POLICY: ApplyRetryPolicy = {
  baseMs: 2_000,
  capMs: 60_000,
  minIntervalMs: 5_000,
};

/**
 * "Equal jitter": the n-th retry waits between half and all of min(cap, base * 2^n), so retries
 * never bunch at zero (as full jitter may) and a fleet that failed together spreads out.
 */
export function applyRetryDelayMs(attempt: number, policy: ApplyRetryPolicy, random: () => number): number {
  const ceiling = backoffCeilingMs(attempt, { ...policy, resetAfterMs: 0 });
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

export interface SnapshotRetryDependencies {
  /** Applies the snapshot again (SnapshotApplier.attempt: serialized with deliveries). */
  attempt: (snapshot: IncomingSnapshot) => Promise<SnapshotOutcome>;
  /** Tells the controller: the ACK once it applied, a NACK when the reason changed. */
  report: (answer: SnapshotAnswer) => void;
  /** Version currently applied; a retry older than it is dropped. */
  appliedVersion: () => number;
  logger: AgentLogger;
  policy?: ApplyRetryPolicy;
  now?: () => number;
  random?: () => number;
}

/**
 * Retries the one snapshot the cluster refused (NACKed) until it applies or the controller sends a
 * newer one: with jittered, capped exponential backoff, and at once (but at most every
 * minIntervalMs) when something local changes (the cluster's inventory, a newly signed
 * intermediate). The controller does not resend a NACKed version, so without this the cluster
 * would stay behind until the agent restarts. One retry at a time; repeated NACKs are only sent
 * when their reason changes.
 */
export class SnapshotRetry {
  private pending: { snapshot: IncomingSnapshot; lastReason: string } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Number.POSITIVE_INFINITY;
  private failedRetries = 0;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private running = false;
  private nudgedWhileRunning = false;
  /** Bumped whenever the pending snapshot is replaced or dropped, so a stale attempt's outcome is ignored. */
  private generation = 0;
  private stopped = false;
  private readonly policy: ApplyRetryPolicy;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly deps: SnapshotRetryDependencies) {
    this.policy = deps.policy ?? DEFAULT_APPLY_RETRY_POLICY;
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
  }

  /** The version waiting to be retried, if any. */
  get pendingVersion(): number | undefined {
    return this.pending?.snapshot.version;
  }

  /** A new snapshot arrived from the controller: it supersedes whatever was being retried. */
  superseded(): void {
    this.drop();
  }

  /** The controller's snapshot was refused for a reason that may go away: retry it. */
  refused(snapshot: IncomingSnapshot, reason: string): void {
    if (this.stopped) return;
    this.drop();
    this.pending = { snapshot, lastReason: reason };
    this.lastAttemptAt = this.now();
    this.schedule(applyRetryDelayMs(0, this.policy, this.random));
  }

  /** Something local changed that may have removed the cause: retry now (rate-limited). */
  nudge(): void {
    if (!this.pending || this.stopped) return;
    if (this.running) {
      this.nudgedWhileRunning = true;
      return;
    }
    this.scheduleNudged();
  }

  private scheduleNudged(): void {
    this.schedule(Math.max(0, this.lastAttemptAt + this.policy.minIntervalMs - this.now()));
  }

  stop(): void {
    this.stopped = true;
    this.drop();
  }

  private drop(): void {
    this.generation += 1;
    this.pending = undefined;
    this.failedRetries = 0;
    this.clearTimer();
  }

  /** Runs the retry after `delayMs`, unless one is already due sooner. */
  private schedule(delayMs: number): void {
    const dueAt = this.now() + delayMs;
    if (this.timer && dueAt >= this.dueAt) return;
    this.clearTimer();
    this.dueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Number.POSITIVE_INFINITY;
      void this.retry();
    }, delayMs);
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = Number.POSITIVE_INFINITY;
  }

  private async retry(): Promise<void> {
    const pending = this.pending;
    if (!pending || this.running) return;
    const { snapshot } = pending;
    const generation = this.generation;
    if (snapshot.version < this.deps.appliedVersion()) {
      this.drop();
      return;
    }
    this.running = true;
    this.nudgedWhileRunning = false;
    this.lastAttemptAt = this.now();
    let outcome: SnapshotOutcome;
    try {
      outcome = await this.deps.attempt(snapshot);
    } finally {
      this.running = false;
    }
    if (generation !== this.generation || this.stopped) return;

    if (outcome.result !== 'rejected') {
      this.deps.logger.info(
        { version: snapshot.version, retries: this.failedRetries + 1 },
        'snapshot applied on retry',
      );
      this.drop();
      this.deps.report(answerFor(outcome));
      return;
    }
    if (!outcome.retryable) {
      this.drop();
      this.deps.report(answerFor(outcome));
      return;
    }
    this.failedRetries += 1;
    if (outcome.reason !== pending.lastReason) {
      pending.lastReason = outcome.reason;
      this.deps.report(answerFor(outcome));
    }
    const delayMs = applyRetryDelayMs(this.failedRetries, this.policy, this.random);
    this.deps.logger.warn(
      {
        version: snapshot.version,
        retries: this.failedRetries,
        nextRetryMs: delayMs,
        reason: outcome.reason,
      },
      'snapshot still refused; retrying later',
    );
    this.schedule(delayMs);
    if (this.nudgedWhileRunning) this.scheduleNudged();
  }
}
