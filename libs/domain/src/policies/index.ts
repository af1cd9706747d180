export * from './policy-spec';
export * from './desired-policy';
export { parseDurationMs, formatDuration } from './durations';
export {
  parseTrafficPolicyShape,
  parseSecurityPolicyShape,
  trafficPolicySchema,
  securityPolicySchema,
} from './policy-schema';
export { gnsPolicyContext, type GnsPolicyContext, type ServicePlacement } from './policy-context';
export { validateTrafficPolicy, HTTP_METHODS, RETRY_CONDITIONS } from './validate-traffic-policy';
export { storedPolicyWarnings, type PolicyValidation } from './policy-validation';
export { proposePolicies, type PolicyProposal, type ProposedPolicies } from './propose-policies';
export { validateSecurityPolicy, ANY_GNS_SERVICE } from './validate-security-policy';
export {
  groupPoliciesByGns,
  principalsOf,
  resolveTrafficPolicy,
  resolveSecurityPolicy,
  withPolicies,
  SUBSET_MEMBERSHIP_LABEL_PREFIX,
  type GnsPolicies,
  type PoliciesByGns,
} from './resolve-policies';
