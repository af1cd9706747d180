import type { FieldError } from '../errors';

export interface PolicyValidation<T> {
  /** Refuse the policy when not empty. */
  errors: FieldError[];
  /** Accepted, but the user should know (e.g. a subset no pod carries yet). */
  warnings: FieldError[];
  /** The normalised policy (canonical durations, default names and weights) when there are no errors. */
  policy?: T;
}

/**
 * A stored policy re-checked against today's membership: what would now be refused (a service
 * that left the GNS) is reported as a warning; distribution skips what no longer applies.
 */
export function storedPolicyWarnings(validation: PolicyValidation<unknown>): FieldError[] {
  return [
    ...validation.errors.map((error) => ({
      field: error.field,
      message: `no longer holds: ${error.message}`,
    })),
    ...validation.warnings,
  ];
}
