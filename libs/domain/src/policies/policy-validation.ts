import type { FieldError } from '../errors';

export interface PolicyValidation<T> {
  /** Refuse the policy when not empty. */
  errors: FieldError[];
  /** Accepted, but the user should know (e.g. a subset no pod carries yet). */
  warnings: FieldError[];
  /** The normalised policy (canonical durations, default names and weights) when there are no errors. */
  policy?: T;
}
