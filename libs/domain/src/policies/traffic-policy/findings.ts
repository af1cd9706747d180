import type { FieldError } from '../../errors';
import { durationProblem } from '../durations';

/** What the section checks of one traffic policy report into, in the order they find it. */
export class Findings {
  readonly errors: FieldError[] = [];
  readonly warnings: FieldError[] = [];

  error(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  warn(field: string, message: string): void {
    this.warnings.push({ field, message });
  }

  /** A duration that does not parse or lies outside `bounds` is an error of `field`. */
  duration(field: string, value: string, bounds: { min: number; max: number }): void {
    const problem = durationProblem(value, bounds);
    if (problem !== null) this.error(field, problem);
  }
}

const MS = 1;
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Bounds that catch typos ("5h" for "5s") without getting in the way of real settings. */
export const BOUNDS = {
  timeout: { min: 1 * MS, max: 1 * HOUR },
  perTryTimeout: { min: 1 * MS, max: 1 * HOUR },
  fixedDelay: { min: 1 * MS, max: 1 * HOUR },
  connectTimeout: { min: 1 * MS, max: 5 * MINUTE },
  interval: { min: 1 * MS, max: 1 * HOUR },
  baseEjectionTime: { min: 1 * MS, max: 24 * HOUR },
};

/** ` (prefix a, b, c suffix)` for messages that list what exists, or '' when nothing does. */
export function knownList(prefix: string, items: readonly string[], suffix: string): string {
  return items.length === 0 ? '' : `${prefix}${[...items].sort().join(', ')}${suffix}`;
}
