import { routedSubsets, type GnsPolicyContext } from './policy-context';
import { parseTrafficPolicyShape } from './policy-schema';
import type { TrafficPolicySpec } from './policy-spec';
import type { PolicyValidation } from './policy-validation';
import { checkConnectionPool, checkOutlierDetection } from './traffic-policy/check-circuit-breaking';
import { checkFailover } from './traffic-policy/check-failover';
import { checkRoutes, warnAboutNonHttpService } from './traffic-policy/check-routes';
import { checkSubsets, warnAboutSubsets } from './traffic-policy/check-subsets';
import { Findings, knownList } from './traffic-policy/findings';
import { normalizeTrafficPolicy } from './traffic-policy/normalize-traffic-policy';

export type { PolicyValidation } from './policy-validation';
export { HTTP_METHODS } from './traffic-policy/check-matches';
export { RETRY_CONDITIONS } from './traffic-policy/check-timeouts';

/**
 * Checks a traffic policy for `service` of one GNS. Errors are what would render a broken or
 * meaningless configuration (weights not summing to 100, unknown subsets, bad durations, a service
 * or cluster outside the GNS, unreachable routes). A subset that no running pod carries yet is a
 * warning: blue/green and canaries are commonly set up before the new version is deployed, and the
 * inventory changes on its own; requests routed there fail (503) until such pods run, which the
 * warning says. So are pods a split instance leaves out, and instances that cannot be split.
 * Each section is checked in its own file under traffic-policy/, in the order below.
 */
export function validateTrafficPolicy(
  service: string,
  input: unknown,
  context: GnsPolicyContext,
): PolicyValidation<TrafficPolicySpec> {
  const shape = parseTrafficPolicyShape(input);
  if (!shape.ok) return { errors: shape.errors, warnings: [] };
  const spec = shape.value;
  const findings = new Findings();

  const placements = context.services.get(service);
  if (!placements) {
    findings.error(
      'service',
      `"${service}" is not a service of global namespace "${context.gnsName}"${knownList(' (its services: ', [...context.services.keys()], ')')}`,
    );
  }
  if (!setsAnything(spec))
    findings.error(
      '(body)',
      'the policy sets nothing: give subsets, routes, timeout, retries, fault, connectionPool, outlierDetection or failover',
    );

  const subsets = checkSubsets(spec.subsets ?? [], findings);
  if (placements)
    warnAboutSubsets(spec.subsets ?? [], routedSubsets(spec.routes ?? []), placements, service, findings);
  checkRoutes(spec, subsets, findings);
  warnAboutNonHttpService(spec, service, context.protocols.get(service), findings);
  checkConnectionPool(spec.connectionPool, findings);
  checkOutlierDetection(spec.outlierDetection, findings);
  checkFailover(spec, service, placements, context, findings);

  const { errors, warnings } = findings;
  if (errors.length > 0) return { errors, warnings };
  return { errors, warnings, policy: normalizeTrafficPolicy(spec) };
}

function setsAnything(spec: TrafficPolicySpec): boolean {
  return (
    spec.subsets !== undefined ||
    spec.routes !== undefined ||
    spec.timeout !== undefined ||
    spec.retries !== undefined ||
    spec.fault !== undefined ||
    spec.connectionPool !== undefined ||
    spec.outlierDetection !== undefined ||
    spec.failover !== undefined
  );
}
