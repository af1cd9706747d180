/**
 * Durations as users write them and Istio accepts them: a number and a unit (`ms`, `s`, `m`, `h`),
 * e.g. `250ms`, `1.5s`, `5m`. Stored and rendered in one canonical form so equal policies hash
 * equally: whole seconds as `Ns`, anything finer as `Nms`.
 */
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Milliseconds, or null when the text is not a duration (negative values never parse). */
export function parseDurationMs(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return Number.isFinite(ms) ? ms : null;
}

export function formatDuration(ms: number): string {
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${Math.round(ms)}ms`;
}

export interface DurationBounds {
  /** Inclusive, milliseconds. */
  min: number;
  max: number;
}

/** An error message for the field, or null when the duration is within bounds. */
export function durationProblem(text: string, bounds: DurationBounds): string | null {
  const ms = parseDurationMs(text);
  if (ms === null)
    return `"${text}" is not a duration: write a non-negative number and a unit, e.g. "250ms", "5s", "1m"`;
  if (ms < bounds.min || ms > bounds.max)
    return `${text} is outside ${formatDuration(bounds.min)}..${formatDuration(bounds.max)}`;
  if (ms % 1 !== 0) return `${text} is finer than a millisecond`;
  return null;
}
