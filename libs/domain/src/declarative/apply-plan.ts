import { DomainError } from '../errors';
import { withDefaults, type DeclarativeKind, type DeclarativeSpec } from './declarative-kinds';
import { diffValues, type FieldChange } from './declarative-diff';

/** What the controller knows about a resource apply last wrote. */
export interface AppliedRecord {
  /** The resource version the last apply left; another version means someone else changed it since. */
  appliedVersion: number;
  /** Top-level spec fields the last apply named. */
  appliedFields: readonly string[];
}

export interface LiveResource {
  version: number;
  /** The stored spec, in declarative form (every field, defaults filled in). */
  spec: DeclarativeSpec;
}

export type ApplyAction = 'create' | 'update' | 'unchanged';

export interface ApplyPlan {
  action: ApplyAction;
  /** The complete spec to store (create or replace). */
  spec: DeclarativeSpec;
  changes: FieldChange[];
}

/**
 * Server-side apply of one document, decided without I/O:
 *
 * - fields the document names are set;
 * - fields the previous apply named and this one no longer does return to their defaults;
 * - fields nobody applied (set through the REST API or GraphQL) are left as they are;
 * - a resource changed by someone else since the last apply is refused with 409 unless forced, as
 *   is one no longer at the version the document names (metadata.version).
 *
 * The caller then puts the spec into the form the controller stores (canonical durations,
 * generated names) and settles the plan with settlePlan, so an apply of what is stored changes nothing.
 */
export function planApply(input: {
  kind: DeclarativeKind;
  label: string;
  named: DeclarativeSpec;
  live: LiveResource | null;
  applied: AppliedRecord | null;
  expectedVersion?: number;
  force: boolean;
}): ApplyPlan {
  const { live, applied, named } = input;
  if (!live) {
    if (input.expectedVersion !== undefined)
      throw new DomainError(
        'CONFLICT',
        `${input.label} does not exist, but the document names metadata.version ${input.expectedVersion}: remove metadata.version to create it`,
      );
    const spec = withDefaults(input.kind, named);
    return { action: 'create', spec, changes: diffValues({}, spec) };
  }
  if (input.expectedVersion !== undefined && input.expectedVersion !== live.version)
    throw new DomainError(
      'CONFLICT',
      `${input.label} is at version ${live.version}, not at metadata.version ${input.expectedVersion}: it changed since the document was written`,
    );
  if (applied && applied.appliedVersion !== live.version && !input.force)
    throw new DomainError(
      'CONFLICT',
      `${input.label} was changed outside apply since the last apply (version ${applied.appliedVersion}, now ${live.version}): ` +
        'review the change (lattice diff), then apply with --force-conflicts to overwrite it',
    );
  const merged: DeclarativeSpec = { ...live.spec };
  const defaults = withDefaults(input.kind, {});
  for (const field of applied?.appliedFields ?? [])
    if (!(field in named)) {
      if (field in defaults) merged[field] = defaults[field];
      else delete merged[field];
    }
  Object.assign(merged, named);
  return settlePlan(live, withDefaults(input.kind, merged));
}

/** The plan for storing `spec` (as the controller would store it) over what is live now. */
export function settlePlan(live: LiveResource | null, spec: DeclarativeSpec): ApplyPlan {
  if (!live) return { action: 'create', spec, changes: diffValues({}, spec) };
  const changes = diffValues(live.spec, spec);
  return { action: changes.length === 0 ? 'unchanged' : 'update', spec, changes };
}
