import { triggerKey, type AutoscalingPolicySpec } from './autoscaling-spec';

/** One reading of a trigger's metric; null when it could not be read (metrics unavailable). */
export interface MetricSample {
  atMs: number;
  value: number | null;
}

export type TriggerVerdict = 'UP' | 'DOWN' | 'HOLD' | 'NO_DATA' | 'PARTIAL';

/** A trigger's window as the decision saw it: what every decision event shows. */
export interface TriggerWindow {
  /** `CPU`, `LATENCY p99`, … */
  trigger: string;
  scaleUp: number;
  scaleDown: number;
  samples: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  /**
   * UP: above scaleUp for the whole window; DOWN: below scaleDown for the whole window; HOLD: in
   * between or crossing; NO_DATA: a whole window of unreadable metrics; PARTIAL: the window is not
   * covered yet (agent just started, or the workload was scaled within it).
   */
  verdict: TriggerVerdict;
}

export type ScaleAction = 'SCALE_UP' | 'SCALE_DOWN' | 'HOLD';

/** Why a change the triggers asked for was not made. */
export type ScaleBlock = 'SLO' | 'GRACE_PERIOD' | 'PERFORMANCE_MODE' | 'MAX_REPLICAS' | 'MIN_REPLICAS';

export interface ScaleDecision {
  action: ScaleAction;
  fromReplicas: number;
  toReplicas: number;
  /** The rule that fired (or would have), in words, with the window values. */
  rule: string;
  /** Set when the triggers asked for a change that was not made. */
  blockedBy?: ScaleBlock;
  windows: TriggerWindow[];
}

export interface ScaleDecisionInput {
  policy: Pick<
    AutoscalingPolicySpec,
    'mode' | 'instances' | 'triggers' | 'windowSeconds' | 'gracePeriodSeconds'
  >;
  nowMs: number;
  currentReplicas: number;
  /** Per trigger, in the policy's order, oldest first. Older samples are ignored. */
  samples: readonly (readonly MetricSample[])[];
  /** How often samples are taken: no hole between samples may be longer than two of these. */
  sampleIntervalMs: number;
  /** When the workload was last scaled by this policy (or, recommend-only, last recommended). */
  lastScaleAtMs?: number;
  /** Actionable SLOs of the service with a violated indicator: scale-down is blocked while any is. */
  blockingSlos?: readonly string[];
}

/**
 * The autoscaling rule, pure. For each trigger it looks at the samples of the last window (and
 * only those taken after the last scaling, whose effect they would not show):
 *
 * - scale up by `stepsUp` (never above max) when any trigger stayed above its scaleUp threshold for
 *   the whole window (from a sample at or before its start to now) — a spike shorter than the
 *   window never does;
 * - scale down by `stepsDown` (never below min) when every trigger with data stayed below its
 *   scaleDown threshold for the whole window; the band between the thresholds holds (hysteresis);
 * - PERFORMANCE mode never scales down; an actionable SLO with a violated indicator blocks
 *   scale-down; nothing moves within `gracePeriodSeconds` of the last scaling;
 * - a whole window without readable metrics sets `instances.default`;
 * - a replica count outside [min, max] is brought inside at once, whatever the metrics.
 */
export function decideScale(input: ScaleDecisionInput): ScaleDecision {
  const { policy, currentReplicas: from } = input;
  const { min, max, stepsUp, stepsDown } = policy.instances;
  const windows = policy.triggers.map((trigger, index) =>
    triggerWindow(input, trigger, input.samples[index] ?? []),
  );
  const hold = (rule: string, blockedBy?: ScaleBlock): ScaleDecision => ({
    action: 'HOLD',
    fromReplicas: from,
    toReplicas: from,
    rule,
    ...(blockedBy ? { blockedBy } : {}),
    windows,
  });
  const move = (to: number, rule: string): ScaleDecision => ({
    action: to > from ? 'SCALE_UP' : 'SCALE_DOWN',
    fromReplicas: from,
    toReplicas: to,
    rule,
    windows,
  });

  if (from < min) return move(min, `${from} replicas is below instances.min ${min}`);
  if (from > max) return move(max, `${from} replicas is above instances.max ${max}`);

  const windowText = `${policy.windowSeconds}s`;
  const up = windows.find((window) => window.verdict === 'UP');
  let wanted: { to: number; rule: string } | undefined;
  if (up) {
    const to = Math.min(max, from + stepsUp);
    const rule = `${up.trigger} stayed above scaleUp ${up.scaleUp} for ${windowText} (min ${fmt(up.min)})`;
    if (to === from) return hold(`${rule}, but ${from} is instances.max`, 'MAX_REPLICAS');
    wanted = { to, rule: `${rule}: up by ${to - from}` };
  } else if (windows.every((window) => window.verdict === 'NO_DATA')) {
    if (policy.instances.default === from)
      return hold(`no readable metrics for ${windowText}; at instances.default ${from}`);
    wanted = {
      to: policy.instances.default,
      rule: `no readable metrics for ${windowText}: instances.default ${policy.instances.default}`,
    };
  } else if (
    windows.some((window) => window.verdict === 'DOWN') &&
    windows.every((window) => window.verdict === 'DOWN' || window.verdict === 'NO_DATA')
  ) {
    const downs = windows.filter((window) => window.verdict === 'DOWN');
    const rule = `${downs
      .map(
        (window) => `${window.trigger} stayed below scaleDown ${window.scaleDown} (max ${fmt(window.max)})`,
      )
      .join(' and ')} for ${windowText}`;
    const to = Math.max(min, from - stepsDown);
    if (to === from) return hold(`${rule}, but ${from} is instances.min`, 'MIN_REPLICAS');
    wanted = { to, rule: `${rule}: down by ${from - to}` };
  } else {
    return hold(holdReason(windows, windowText));
  }

  if (wanted.to < from) {
    if (policy.mode === 'PERFORMANCE')
      return hold(`${wanted.rule}; PERFORMANCE mode never scales down`, 'PERFORMANCE_MODE');
    if (input.blockingSlos && input.blockingSlos.length > 0)
      return hold(
        `${wanted.rule}; blocked: actionable SLO ${input.blockingSlos.join(', ')} has a violated indicator`,
        'SLO',
      );
  }
  if (input.lastScaleAtMs !== undefined) {
    const sinceMs = input.nowMs - input.lastScaleAtMs;
    if (sinceMs < policy.gracePeriodSeconds * 1000)
      return hold(
        `${wanted.rule}; within the grace period (${Math.floor(sinceMs / 1000)}s of ${policy.gracePeriodSeconds}s since the last scaling)`,
        'GRACE_PERIOD',
      );
  }
  return move(wanted.to, wanted.rule);
}

function triggerWindow(
  input: ScaleDecisionInput,
  trigger: ScaleDecisionInput['policy']['triggers'][number],
  samples: readonly MetricSample[],
): TriggerWindow {
  const windowStartMs = input.nowMs - input.policy.windowSeconds * 1000;
  const afterScale = (sample: MetricSample) =>
    input.lastScaleAtMs === undefined || sample.atMs >= input.lastScaleAtMs;
  // The window is held only if it is seen whole: from a sample at or before its start (the newest
  // such, taken after the last scaling and not stale) to now.
  const anchor = samples.filter((sample) => sample.atMs <= windowStartMs && afterScale(sample)).at(-1);
  const considered = [
    ...(anchor ? [anchor] : []),
    ...samples.filter((sample) => sample.atMs > windowStartMs && sample.atMs <= input.nowMs),
  ];
  const values = considered.flatMap((sample) => (sample.value === null ? [] : [sample.value]));
  const base = {
    trigger: triggerKey(trigger),
    scaleUp: trigger.scaleUp,
    scaleDown: trigger.scaleDown,
    samples: values.length,
    min: values.length > 0 ? Math.min(...values) : null,
    max: values.length > 0 ? Math.max(...values) : null,
    avg: values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : null,
  };
  const covered =
    anchor !== undefined &&
    windowStartMs - anchor.atMs <= 2 * input.sampleIntervalMs &&
    gapsWithin(considered, input.nowMs, input.sampleIntervalMs);
  if (!covered) return { ...base, verdict: 'PARTIAL' };
  if (values.length === 0) return { ...base, verdict: 'NO_DATA' };
  if (base.min! > trigger.scaleUp) return { ...base, verdict: 'UP' };
  if (base.max! < trigger.scaleDown) return { ...base, verdict: 'DOWN' };
  return { ...base, verdict: 'HOLD' };
}

/** No hole longer than two sampling intervals (a missed sample is tolerated, a stall is not). */
function gapsWithin(samples: readonly MetricSample[], nowMs: number, intervalMs: number): boolean {
  for (let index = 1; index < samples.length; index++)
    if (samples[index]!.atMs - samples[index - 1]!.atMs > 2 * intervalMs) return false;
  return nowMs - samples[samples.length - 1]!.atMs <= 2 * intervalMs;
}

function holdReason(windows: readonly TriggerWindow[], windowText: string): string {
  if (windows.some((window) => window.verdict === 'PARTIAL'))
    return `waiting for a full ${windowText} window of samples`;
  return `every trigger within its thresholds (or crossing them) over ${windowText}`;
}

function fmt(value: number | null): string {
  if (value === null) return 'none';
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
