/**
 * When a tenant's recomputation may start: a trailing debounce with a bound. Changes keep coming
 * (a burst of edits, inventories of many clusters) → wait until they pause for `quietMs`, but
 * never longer than `maxWaitMs` after the first change the recomputation is for, so a continuous
 * stream of edits is still distributed at least that often.
 */
export interface CoalescingPolicy {
  /** The recomputation runs once no change came for this long... */
  quietMs: number;
  /** ...or this long after the first change it covers, whichever comes first. */
  maxWaitMs: number;
}

export const DEFAULT_COALESCING: CoalescingPolicy = { quietMs: 100, maxWaitMs: 1000 };

/**
 * How long to wait before reading the data, 0 to run now. `lastChangeAt`: the newest change of the
 * tenant (any replica; undefined when none is on record); `firstChangeAt`: the first change this
 * recomputation is for. All in ms since the epoch.
 */
export function recomputeWaitMs(
  now: number,
  firstChangeAt: number,
  lastChangeAt: number | undefined,
  policy: CoalescingPolicy = DEFAULT_COALESCING,
): number {
  const deadline = firstChangeAt + policy.maxWaitMs;
  if (lastChangeAt === undefined || now >= deadline) return 0;
  const quietAt = lastChangeAt + policy.quietMs;
  if (now >= quietAt) return 0;
  return Math.min(quietAt, deadline) - now;
}
