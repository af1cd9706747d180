import type { GnsPolicyContext, ServicePlacement } from '../policy-context';
import type { TrafficPolicySpec } from '../policy-spec';
import { knownList, type Findings } from './findings';

/**
 * Failover order: member clusters, each once, only with outlier detection (Envoy fails over only
 * from endpoints it ejected). A member the service does not run in now is a warning.
 */
export function checkFailover(
  spec: TrafficPolicySpec,
  service: string,
  placements: readonly ServicePlacement[] | undefined,
  context: GnsPolicyContext,
  findings: Findings,
): void {
  if (spec.failover === undefined) return;
  if (spec.failover.length === 0)
    findings.error('failover', 'must name at least one cluster (or leave it out)');
  if (!spec.outlierDetection)
    findings.error(
      'failover',
      'needs outlierDetection: Envoy fails over only from endpoints it has ejected as unhealthy',
    );
  const seen = new Set<string>();
  spec.failover.forEach((clusterName, index) => {
    const field = `failover[${index}]`;
    if (seen.has(clusterName)) findings.error(field, `cluster "${clusterName}" is listed twice`);
    seen.add(clusterName);
    if (!context.clusters.has(clusterName)) {
      findings.error(
        field,
        `"${clusterName}" is not a member cluster of global namespace "${context.gnsName}"${knownList(' (members: ', [...context.clusters.keys()], ')')}`,
      );
    } else if (placements && !placements.some((placement) => placement.clusterName === clusterName)) {
      findings.warn(field, `${service} does not run in cluster "${clusterName}" at the moment`);
    }
  });
}
