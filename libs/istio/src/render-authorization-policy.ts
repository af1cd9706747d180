import type { DesiredAccessRule, DesiredGlobalNamespace, DesiredSecurityPolicy } from '@lattice/domain';
import type { IAuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1beta1/AuthorizationPolicy';
import type { KubeObject } from './kube-object';
import { objectName } from './object-name';

type AuthorizationPolicySpec = NonNullable<IAuthorizationPolicy['spec']>;
type Rule = NonNullable<AuthorizationPolicySpec['rules']>[number];

/**
 * Default DENY for the GNS: an ALLOW policy with no rules on every workload of a member namespace
 * ("allow nothing"). Istio then admits a request only if some ALLOW policy of the workload matches
 * it, i.e. one of the per-service ALLOW policies below. (A DENY-everything policy would instead
 * override every ALLOW: Istio evaluates DENY first.)
 */
export function renderDefaultDeny(
  gns: DesiredGlobalNamespace,
  namespace: string,
  labels: Record<string, string>,
): KubeObject {
  const spec: AuthorizationPolicySpec = { action: 'ALLOW' };
  return authorizationPolicy(
    objectName(`lattice-${gns.name}-allow-nothing`, `${gns.id}/allow-nothing`),
    namespace,
    labels,
    spec,
  );
}

/**
 * The ALLOW or DENY rules targeting one service, on its workloads in one namespace. Callers are
 * SPIFFE principals of the GNS trust domain, so they only match mTLS peers. An ALLOW policy whose
 * rules lost all their callers keeps its selector and no rules: that workload then admits nobody
 * (fails closed) instead of falling back to the GNS default.
 */
export function renderServiceAuthorization(
  gns: DesiredGlobalNamespace,
  policy: DesiredSecurityPolicy,
  service: string,
  action: 'ALLOW' | 'DENY',
  namespace: string,
  labels: Record<string, string>,
): KubeObject | null {
  const rules = policy.rules.filter((rule) => rule.to === service && rule.action === action);
  if (rules.length === 0) return null;
  const workloadLabels = policy.services.find((entry) => entry.service === service)?.workloadLabels ?? {
    app: service,
  };
  const rendered = rules.filter((rule) => rule.fromPrincipals.length > 0).map(renderRule);
  const spec: AuthorizationPolicySpec = {
    selector: { matchLabels: { ...workloadLabels } },
    action,
    ...(rendered.length > 0 ? { rules: rendered } : {}),
  };
  const suffix = action === 'ALLOW' ? 'allow' : 'deny';
  return authorizationPolicy(
    objectName(`lattice-${gns.name}-${service}-${suffix}`, `${gns.id}/${service}/${suffix}`),
    namespace,
    labels,
    spec,
  );
}

function renderRule(rule: DesiredAccessRule): Rule {
  const operation = {
    ...(rule.methods?.length ? { methods: [...rule.methods] } : {}),
    ...(rule.paths?.length ? { paths: [...rule.paths] } : {}),
  };
  return {
    from: [{ source: { principals: [...rule.fromPrincipals] } }],
    ...(Object.keys(operation).length > 0 ? { to: [{ operation }] } : {}),
  };
}

function authorizationPolicy(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  spec: AuthorizationPolicySpec,
): KubeObject {
  return {
    apiVersion: 'security.istio.io/v1beta1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace, labels },
    spec,
  };
}
