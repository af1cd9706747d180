import type { FieldError } from '../errors';
import { isDnsLabel } from '../gns/gns-identity';
import type { GnsPolicyContext } from './policy-context';
import type { SecurityPolicySpec, TrafficPolicySpec } from './policy-spec';
import type { GnsPolicies } from './resolve-policies';
import { validateSecurityPolicy } from './validate-security-policy';
import { validateTrafficPolicy } from './validate-traffic-policy';

/** Policies proposed for one GNS, in place of its stored ones (a dry run). */
export interface PolicyProposal {
  /** Proposed traffic policies; `spec: null` proposes removing the service's policy. */
  trafficPolicies?: { service: string; spec: unknown }[];
  /** Proposed security policy; null proposes removing it; omitted keeps the stored one. */
  securityPolicy?: unknown;
}

export interface ProposedPolicies {
  /** Refuse the proposal when not empty; fields are named as in the proposal (`trafficPolicies[0].…`). */
  errors: FieldError[];
  warnings: FieldError[];
  /** The GNS's policies with the proposal applied (what validated of it, when there are errors). */
  policies: GnsPolicies;
}

/** The stored policies of one GNS with a proposal applied, each proposed policy validated as a put would. */
export function proposePolicies(
  current: GnsPolicies | undefined,
  proposal: PolicyProposal,
  context: GnsPolicyContext,
): ProposedPolicies {
  const trafficPolicies = new Map<string, TrafficPolicySpec>(current?.trafficPolicies ?? []);
  let securityPolicy: SecurityPolicySpec | undefined = current?.securityPolicy;
  const errors: FieldError[] = [];
  const warnings: FieldError[] = [];
  const seen = new Set<string>();
  (proposal.trafficPolicies ?? []).forEach((entry, index) => {
    const prefix = `trafficPolicies[${index}]`;
    if (typeof entry?.service !== 'string' || !isDnsLabel(entry.service)) {
      errors.push({ field: `${prefix}.service`, message: 'must be a service name (DNS label)' });
      return;
    }
    if (seen.has(entry.service))
      errors.push({ field: `${prefix}.service`, message: `${entry.service} is proposed twice` });
    seen.add(entry.service);
    if (entry.spec === null) {
      trafficPolicies.delete(entry.service);
      return;
    }
    const validation = validateTrafficPolicy(entry.service, entry.spec, context);
    errors.push(...prefixed(prefix, validation.errors));
    warnings.push(...prefixed(prefix, validation.warnings));
    if (validation.policy) trafficPolicies.set(entry.service, validation.policy);
  });
  if (proposal.securityPolicy === null) securityPolicy = undefined;
  else if (proposal.securityPolicy !== undefined) {
    const validation = validateSecurityPolicy(proposal.securityPolicy, context);
    errors.push(...prefixed('securityPolicy', validation.errors));
    warnings.push(...prefixed('securityPolicy', validation.warnings));
    securityPolicy = validation.policy;
  }
  return { errors, warnings, policies: { trafficPolicies, securityPolicy } };
}

/** A policy's field errors as fields of the proposal entry it came from. */
function prefixed(prefix: string, fields: FieldError[]): FieldError[] {
  return fields.map((field) => ({
    field: field.field === '(body)' ? prefix : `${prefix}.${field.field}`,
    message: field.message,
  }));
}
