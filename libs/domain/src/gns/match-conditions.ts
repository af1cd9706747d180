import type { FieldError } from '../errors';
import { compileFullMatch, findRegexHazard } from './regex-safety';

export const SELECTOR_TYPES = ['EXACT', 'PREFIX', 'REGEX'] as const;
export type SelectorType = (typeof SELECTOR_TYPES)[number];

/** Matches a cluster name or a namespace name. A REGEX must match the whole name. */
export interface Selector {
  type: SelectorType;
  value: string;
}

/** A (cluster, namespace) pair is claimed when both selectors match. */
export interface MatchCondition {
  cluster: Selector;
  namespace: Selector;
}

export const MAX_MATCH_CONDITIONS = 50;
/** Kubernetes namespace names are DNS-1123 labels. */
export const MAX_NAMESPACE_NAME_LENGTH = 63;
export const MAX_CLUSTER_NAME_LENGTH = 253;
export const MAX_REGEX_LENGTH = 256;

const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAMESPACE_PREFIX = /^[a-z0-9][-a-z0-9]*$/;

type SelectorTarget = 'cluster' | 'namespace';

export function validateMatchConditions(conditions: readonly MatchCondition[]): FieldError[] {
  if (!Array.isArray(conditions)) return [{ field: 'matchConditions', message: 'must be a list' }];
  if (conditions.length === 0) {
    return [
      {
        field: 'matchConditions',
        message: 'at least one match condition is required (an empty list would match nothing)',
      },
    ];
  }
  if (conditions.length > MAX_MATCH_CONDITIONS) {
    return [
      { field: 'matchConditions', message: `at most ${MAX_MATCH_CONDITIONS} match conditions are allowed` },
    ];
  }
  return conditions.flatMap((condition, index) => {
    const path = `matchConditions[${index}]`;
    if (typeof condition !== 'object' || condition === null)
      return [{ field: path, message: 'must be an object with cluster and namespace selectors' }];
    return [
      ...validateSelector(condition.cluster, `${path}.cluster`, 'cluster'),
      ...validateSelector(condition.namespace, `${path}.namespace`, 'namespace'),
    ];
  });
}

function validateSelector(
  selector: Selector | undefined,
  path: string,
  target: SelectorTarget,
): FieldError[] {
  if (typeof selector !== 'object' || selector === null) return [{ field: path, message: 'is required' }];
  const { type, value } = selector;
  if (!(SELECTOR_TYPES as readonly string[]).includes(type)) {
    return [{ field: `${path}.type`, message: `must be one of ${SELECTOR_TYPES.join(', ')}` }];
  }
  const valuePath = `${path}.value`;
  if (typeof value !== 'string' || value.length === 0)
    return [{ field: valuePath, message: 'must be a non-empty string' }];

  if (type === 'REGEX') {
    if (value.length > MAX_REGEX_LENGTH)
      return [{ field: valuePath, message: `regex must be at most ${MAX_REGEX_LENGTH} characters` }];
    const hazard = findRegexHazard(value);
    return hazard === null ? [] : [{ field: valuePath, message: `regex refused: ${hazard}` }];
  }

  const maxLength = target === 'namespace' ? MAX_NAMESPACE_NAME_LENGTH : MAX_CLUSTER_NAME_LENGTH;
  if (value.length > maxLength) {
    return [
      { field: valuePath, message: `must be at most ${maxLength} characters: no ${target} name is longer` },
    ];
  }
  if (target === 'namespace') {
    const pattern = type === 'EXACT' ? NAMESPACE_NAME : NAMESPACE_PREFIX;
    if (!pattern.test(value)) {
      return [
        {
          field: valuePath,
          message:
            type === 'EXACT'
              ? 'must be a valid namespace name (lowercase letters, digits and "-", starting and ending with a letter or digit)'
              : 'must be the start of a valid namespace name (lowercase letters, digits and "-", starting with a letter or digit)',
        },
      ];
    }
  }
  return [];
}

export type NameMatcher = (name: string) => boolean;

/**
 * Compiles a selector. REGEX patterns (RE2) must match the whole name, so that `shop` does not
 * match `workshop-2`. A selector that fails validation matches nothing (callers validate at the edge; a
 * stored pattern that a newer, stricter rule refuses must not take the controller down).
 */
export function compileSelector(selector: Selector): NameMatcher {
  switch (selector.type) {
    case 'EXACT':
      return (name) => name === selector.value;
    case 'PREFIX':
      return selector.value === '' ? () => false : (name) => name.startsWith(selector.value);
    case 'REGEX': {
      if (
        selector.value === '' ||
        selector.value.length > MAX_REGEX_LENGTH ||
        findRegexHazard(selector.value) !== null
      )
        return () => false;
      return compileFullMatch(selector.value);
    }
    default:
      return () => false;
  }
}

export type PlacementMatcher = (clusterName: string, namespace: string) => boolean;

/** True when any condition matches the (cluster, namespace) pair. */
export function compileMatchConditions(conditions: readonly MatchCondition[]): PlacementMatcher {
  const compiled = conditions.map((condition) => ({
    cluster: compileSelector(condition.cluster),
    namespace: compileSelector(condition.namespace),
  }));
  return (clusterName, namespace) =>
    compiled.some((matcher) => matcher.cluster(clusterName) && matcher.namespace(namespace));
}

/** Whether a stored selector would be refused today (used to warn instead of silently matching nothing). */
export function isSelectorUsable(selector: Selector): boolean {
  return validateSelector(selector, '', 'cluster').length === 0;
}
