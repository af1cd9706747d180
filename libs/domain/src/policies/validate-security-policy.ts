import type { FieldError } from '../errors';
import type { GnsPolicyContext } from './policy-context';
import { parseSecurityPolicyShape } from './policy-schema';
import type { AccessRuleSpec, SecurityPolicySpec } from './policy-spec';
import type { PolicyValidation } from './policy-validation';
import { HTTP_METHODS } from './traffic-policy/check-matches';

/** Any workload of the GNS trust domain. */
export const ANY_GNS_SERVICE = '*';
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Checks the security policy of one GNS. Services named by rules and overrides must be members
 * of the GNS (a typo would otherwise allow or deny nobody, silently). Duplicate rules, and ALLOW
 * rules that a DENY rule makes dead (Istio evaluates DENY first), are refused as conflicts.
 */
export function validateSecurityPolicy(
  input: unknown,
  context: GnsPolicyContext,
): PolicyValidation<SecurityPolicySpec> {
  const shape = parseSecurityPolicyShape(input);
  if (!shape.ok) return { errors: shape.errors, warnings: [] };
  const spec = shape.value;
  const errors: FieldError[] = [];
  const warnings: FieldError[] = [];
  const error = (field: string, message: string) => errors.push({ field, message });
  const notMember = (name: string) =>
    `"${name}" is not a service of global namespace "${context.gnsName}"${
      context.services.size > 0 ? ` (its services: ${[...context.services.keys()].sort().join(', ')})` : ''
    }`;

  const overridden = new Set<string>();
  (spec.services ?? []).forEach((entry, index) => {
    const field = `services[${index}]`;
    if (!context.services.has(entry.service)) error(`${field}.service`, notMember(entry.service));
    if (overridden.has(entry.service)) error(`${field}.service`, `"${entry.service}" is listed twice`);
    overridden.add(entry.service);
    if (
      entry.serviceAccount !== undefined &&
      (!DNS_SUBDOMAIN.test(entry.serviceAccount) || entry.serviceAccount.length > 253)
    )
      error(`${field}.serviceAccount`, 'must be a Kubernetes service account name (lowercase DNS subdomain)');
    if (entry.workloadLabels !== undefined && Object.keys(entry.workloadLabels).length === 0)
      error(
        `${field}.workloadLabels`,
        'must hold at least one label (an empty selector would select every workload of the namespace)',
      );
  });

  const rules = spec.rules ?? [];
  const names = new Set<string>();
  rules.forEach((rule, index) => {
    const field = `rules[${index}]`;
    const name = rule.name ?? `rule-${index}`;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
      error(`${field}.name`, `"${name}" must be a DNS label`);
    if (names.has(name)) error(`${field}.name`, `"${name}" is used by another rule`);
    names.add(name);
    if (!context.services.has(rule.to)) error(`${field}.to`, notMember(rule.to));
    const from = new Set<string>();
    rule.from.forEach((caller, callerIndex) => {
      if (caller !== ANY_GNS_SERVICE && !context.services.has(caller))
        error(`${field}.from[${callerIndex}]`, notMember(caller));
      if (from.has(caller)) error(`${field}.from[${callerIndex}]`, `"${caller}" is listed twice`);
      from.add(caller);
    });
    if (from.has(ANY_GNS_SERVICE) && from.size > 1)
      error(`${field}.from`, '"*" already means every GNS service; list it alone');
    (rule.methods ?? []).forEach((method, methodIndex) => {
      if (!HTTP_METHODS.includes(method))
        error(
          `${field}.methods[${methodIndex}]`,
          `"${method}" is not an HTTP method (${HTTP_METHODS.join(', ')})`,
        );
    });
    (rule.paths ?? []).forEach((path, pathIndex) => {
      if (!(path.startsWith('/') || path === '*' || path.startsWith('*/')) || path.slice(1, -1).includes('*'))
        error(
          `${field}.paths[${pathIndex}]`,
          'must be a path starting with "/", optionally a prefix ending in "*" (e.g. "/api/*")',
        );
    });
  });

  // Conflicts between rules.
  rules.forEach((rule, index) => {
    for (let earlier = 0; earlier < index; earlier++) {
      const other = rules[earlier];
      if (other.to !== rule.to) continue;
      if (other.action === rule.action && sameScope(other, rule)) {
        error(
          `rules[${index}]`,
          `duplicates rules[${earlier}] (same action, callers, target, methods and paths)`,
        );
        continue;
      }
      const [allow, deny, allowIndex, denyIndex] =
        rule.action === 'ALLOW' && other.action === 'DENY'
          ? [rule, other, index, earlier]
          : rule.action === 'DENY' && other.action === 'ALLOW'
            ? [other, rule, earlier, index]
            : [null, null, -1, -1];
      if (allow && deny && covers(deny, allow)) {
        error(
          `rules[${Math.max(allowIndex, denyIndex)}]`,
          `rules[${allowIndex}] allows what rules[${denyIndex}] denies for ${rule.to}; DENY is evaluated first, so the ALLOW rule would never apply`,
        );
      }
    }
  });

  // Things that are accepted but probably not what was meant.
  const mtlsOf = (service: string) =>
    (spec.services ?? []).find((entry) => entry.service === service)?.mtlsMode ?? context.mtlsMode;
  rules.forEach((rule, index) => {
    if (mtlsOf(rule.to) === 'PERMISSIVE') {
      warnings.push({
        field: `rules[${index}]`,
        message: `${rule.to} accepts plain-text callers (PERMISSIVE); they have no identity, so ${rule.action === 'DENY' ? 'this DENY rule does not stop them' : 'ALLOW rules never match them'}`,
      });
    }
    if (
      rule.action === 'DENY' &&
      spec.defaultAction === 'DENY' &&
      !rules.some((other) => other.action === 'ALLOW' && other.to === rule.to)
    )
      warnings.push({
        field: `rules[${index}]`,
        message: `${rule.to} allows nobody anyway (default DENY and no ALLOW rule for it)`,
      });
  });

  if (errors.length > 0) return { errors, warnings };
  return {
    errors,
    warnings,
    policy: {
      defaultAction: spec.defaultAction,
      ...(spec.services ? { services: spec.services.map((entry) => ({ ...entry })) } : {}),
      ...(spec.rules
        ? {
            rules: spec.rules.map((rule, index) => ({
              name: rule.name ?? `rule-${index}`,
              action: rule.action,
              from: [...rule.from],
              to: rule.to,
              ...(rule.methods ? { methods: [...rule.methods] } : {}),
              ...(rule.paths ? { paths: [...rule.paths] } : {}),
            })),
          }
        : {}),
    },
  };
}

function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const left = new Set(a ?? []);
  const right = new Set(b ?? []);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

function sameScope(a: AccessRuleSpec, b: AccessRuleSpec): boolean {
  return sameSet(a.from, b.from) && sameSet(a.methods, b.methods) && sameSet(a.paths, b.paths);
}

/** The DENY rule matches every request the ALLOW rule does (an omitted list matches everything). */
function covers(deny: AccessRuleSpec, allow: AccessRuleSpec): boolean {
  const superset = (wide: readonly string[] | undefined, narrow: readonly string[] | undefined) =>
    wide === undefined || (narrow !== undefined && narrow.every((item) => wide.includes(item)));
  const fromCovered =
    deny.from.includes(ANY_GNS_SERVICE) ||
    (!allow.from.includes(ANY_GNS_SERVICE) && allow.from.every((caller) => deny.from.includes(caller)));
  return fromCovered && superset(deny.methods, allow.methods) && superset(deny.paths, allow.paths);
}
