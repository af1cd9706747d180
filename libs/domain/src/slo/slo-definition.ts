export type LatencyPercentile = 'p50' | 'p90' | 'p99';

export const LATENCY_PERCENTILE_QUANTILE: Record<LatencyPercentile, number> = {
  p50: 0.5,
  p90: 0.9,
  p99: 0.99,
};

/** Holds when the minute's latency percentile is at or below thresholdMs. */
export interface LatencyIndicator {
  kind: 'LATENCY';
  percentile: LatencyPercentile;
  thresholdMs: number;
}

/** Holds when the minute's error rate is at or below maxErrorRatePercent. */
export interface ErrorRateIndicator {
  kind: 'ERROR_RATE';
  maxErrorRatePercent: number;
}

export type SloIndicator = LatencyIndicator | ErrorRateIndicator;

/** `<days>d` for a rolling window (e.g. `7d`, `28d`, `30d`), or the current UTC calendar month. */
export type SloWindowSpec = `${number}d` | 'CALENDAR_MONTH';

/**
 * TIME_SLICES: a minute is good when every indicator holds; the objective is the fraction of good
 * minutes. OCCURRENCES: a request is bad when it failed or (for each latency indicator) took
 * longer than its threshold; the objective is the fraction of good requests, and the indicators'
 * percentile and error-rate thresholds, which describe one minute, are not used.
 */
export type SloBudgetingMethod = 'TIME_SLICES' | 'OCCURRENCES';

/** Carried for consumers (e.g. which SLOs drive actions); evaluation is the same for both. */
export type SloType = 'MONITORED' | 'ACTIONABLE';

/**
 * How a minute without any request (no data) is judged — in the SLO window, in every burn window
 * and in the error budget alike:
 * - GOOD: it is a good slice (Tanzu Service Mesh's rule; a quiet service looks compliant);
 * - BAD: it is a bad slice (silence is an outage: a service that must always have traffic);
 * - IGNORE: it is not counted at all — neither good nor bad, and the time-slice budget shrinks by it,
 *   so the SLO is judged on the minutes that had traffic.
 * Under OCCURRENCES a quiet minute has no request to count, so GOOD and IGNORE are the same and BAD
 * is refused.
 */
export type SloNoDataPolicy = 'GOOD' | 'BAD' | 'IGNORE';
export const SLO_NO_DATA_POLICIES: readonly SloNoDataPolicy[] = ['GOOD', 'BAD', 'IGNORE'];
/** For a new SLO: judge it on the minutes that had traffic. */
export const DEFAULT_SLO_NO_DATA_POLICY: SloNoDataPolicy = 'IGNORE';

export interface SloDefinition {
  indicators: SloIndicator[];
  /** Objective in percent, e.g. 99.9. */
  targetPercent: number;
  window: SloWindowSpec;
  budgeting: SloBudgetingMethod;
  type: SloType;
  noDataPolicy: SloNoDataPolicy;
}

/** What judging a span needs: how it is budgeted and how minutes without requests count. */
export type SloJudging = Pick<SloDefinition, 'budgeting' | 'noDataPolicy'>;

export type SloWindow = { kind: 'ROLLING'; lengthMs: number } | { kind: 'CALENDAR_MONTH' };

export interface SloDefinitionProblem {
  path: string;
  message: string;
}

export class InvalidSloDefinitionError extends Error {
  readonly code = 'INVALID_SLO_DEFINITION';
  constructor(readonly problems: SloDefinitionProblem[]) {
    super(
      `Invalid SLO definition: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
    );
    this.name = 'InvalidSloDefinitionError';
  }
}

export const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_ROLLING_DAYS = 90;
const ROLLING_WINDOW = /^([1-9][0-9]*)d$/;

/** The window a spec names, or null when the spec is not one. */
export function parseSloWindow(spec: string): SloWindow | null {
  if (spec === 'CALENDAR_MONTH') return { kind: 'CALENDAR_MONTH' };
  const match = ROLLING_WINDOW.exec(spec);
  if (!match) return null;
  const days = Number(match[1]);
  return days <= MAX_ROLLING_DAYS ? { kind: 'ROLLING', lengthMs: days * DAY_MS } : null;
}

/** An SLO with its parsed window. */
export interface WindowedSlo<T> {
  slo: T;
  window: SloWindow;
}

/** The SLOs whose window parses (the others cannot be evaluated and are skipped), with that window. */
export function windowedSlos<T extends { window: string }>(slos: readonly T[]): WindowedSlo<T>[] {
  return slos.flatMap((slo) => {
    const window = parseSloWindow(slo.window);
    return window ? [{ slo, window }] : [];
  });
}

/** Lists what is wrong with a definition; empty when it can be evaluated. */
export function validateSloDefinition(definition: SloDefinition): SloDefinitionProblem[] {
  const problems: SloDefinitionProblem[] = [];
  const report = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  if (!Array.isArray(definition.indicators) || definition.indicators.length === 0) {
    report('indicators', 'at least one indicator is required');
  } else {
    definition.indicators.forEach((indicator, index) => {
      const path = `indicators[${index}]`;
      if (indicator.kind === 'LATENCY') {
        if (!(indicator.percentile in LATENCY_PERCENTILE_QUANTILE))
          report(`${path}.percentile`, 'must be p50, p90 or p99');
        if (!isFinitePositive(indicator.thresholdMs))
          report(`${path}.thresholdMs`, `must be a number > 0, got ${indicator.thresholdMs}`);
      } else if (indicator.kind === 'ERROR_RATE') {
        const percent = indicator.maxErrorRatePercent;
        if (!Number.isFinite(percent) || percent < 0 || percent >= 100) {
          report(`${path}.maxErrorRatePercent`, `must be a percentage in [0, 100), got ${percent}`);
        }
      } else {
        report(`${path}.kind`, 'must be LATENCY or ERROR_RATE');
      }
    });
  }
  const target = definition.targetPercent;
  if (!Number.isFinite(target) || target <= 0 || target >= 100) {
    report('targetPercent', `must be a percentage strictly between 0 and 100 (e.g. 99.9), got ${target}`);
  }
  if (typeof definition.window !== 'string' || parseSloWindow(definition.window) === null) {
    report(
      'window',
      `must be "<days>d" with 1 to ${MAX_ROLLING_DAYS} days (e.g. "30d") or "CALENDAR_MONTH", got ${String(definition.window)}`,
    );
  }
  if (definition.budgeting !== 'TIME_SLICES' && definition.budgeting !== 'OCCURRENCES') {
    report('budgeting', 'must be TIME_SLICES or OCCURRENCES');
  }
  if (definition.type !== 'MONITORED' && definition.type !== 'ACTIONABLE')
    report('type', 'must be MONITORED or ACTIONABLE');
  if (!SLO_NO_DATA_POLICIES.includes(definition.noDataPolicy)) {
    report('noDataPolicy', `must be GOOD, BAD or IGNORE, got ${String(definition.noDataPolicy)}`);
  } else if (definition.noDataPolicy === 'BAD' && definition.budgeting === 'OCCURRENCES') {
    report(
      'noDataPolicy',
      'BAD needs budgeting TIME_SLICES: under OCCURRENCES a minute without requests has no request to count as bad (use GOOD or IGNORE)',
    );
  }
  return problems;
}

/** Throws InvalidSloDefinitionError unless the definition is valid; returns its parsed window. */
export function assertValidSloDefinition(definition: SloDefinition): SloWindow {
  const problems = validateSloDefinition(definition);
  const window = parseSloWindow(definition.window);
  if (problems.length > 0 || window === null) throw new InvalidSloDefinitionError(problems);
  return window;
}

export interface WindowBounds {
  startUnixMs: number;
  /** Exclusive. */
  endUnixMs: number;
}

/**
 * The SLO window at evaluation time `nowUnixMs` (a minute boundary; minutes before it are complete).
 * Rolling: the `lengthMs` before now. Calendar month: the whole UTC month of the last complete
 * minute, so the evaluation at 00:00 on the 1st still closes the previous month.
 */
export function sloWindowBounds(window: SloWindow, nowUnixMs: number): WindowBounds {
  if (window.kind === 'ROLLING') return { startUnixMs: nowUnixMs - window.lengthMs, endUnixMs: nowUnixMs };
  const lastMinute = new Date(nowUnixMs - 60_000);
  const year = lastMinute.getUTCFullYear();
  const month = lastMinute.getUTCMonth();
  return { startUnixMs: Date.UTC(year, month, 1), endUnixMs: Date.UTC(year, month + 1, 1) };
}

function isFinitePositive(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}
