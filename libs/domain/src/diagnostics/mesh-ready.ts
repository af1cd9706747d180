import { type ClusterCondition, CONDITION_LIMITS, MESH_READY_NOT_REPORTED } from '../cluster-conditions';
import type { DiagnosticFinding } from './diagnose-gns';

/** SCREAMING_SNAKE finding code to a CamelCase condition reason. */
function reasonOf(code: string): string {
  return code
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/**
 * The MeshReady condition of one cluster from its findings (every Global Namespace it is a member
 * of, plus the cluster alone): False when any finding is an ERROR (reason: the first error's code),
 * True otherwise (warnings are counted in the message), Unknown when the agent never reported.
 * `gnsNames` maps a finding to the GNS it came from, for the message.
 */
export function meshReadyCondition(
  reported: boolean,
  findings: readonly { finding: DiagnosticFinding; gnsName: string | null }[],
): Omit<ClusterCondition, 'lastTransitionTime'> {
  if (!reported) return MESH_READY_NOT_REPORTED;
  const errors = findings.filter((entry) => entry.finding.severity === 'ERROR');
  const warnings = findings.filter((entry) => entry.finding.severity === 'WARNING');
  const describe = (entries: typeof findings) =>
    [
      ...new Set(
        entries.map(({ finding, gnsName }) => (gnsName ? `${finding.code} (GNS ${gnsName})` : finding.code)),
      ),
    ].join(', ');
  if (errors.length > 0) {
    const message =
      `${errors.length} error${errors.length === 1 ? '' : 's'}: ${describe(errors)}` +
      (warnings.length > 0
        ? `; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}: ${describe(warnings)}`
        : '') +
      '. Each finding and its fix: GET /v1/global-namespaces/{id}/diagnostics';
    return {
      type: 'MeshReady',
      status: 'False',
      reason: reasonOf(errors[0].finding.code),
      message: message.slice(0, CONDITION_LIMITS.message),
    };
  }
  return {
    type: 'MeshReady',
    status: 'True',
    reason: warnings.length > 0 ? 'ReadyWithWarnings' : 'Ready',
    message: (warnings.length > 0
      ? `no errors; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}: ${describe(warnings)}`
      : "the Istio installation has what the cluster's Global Namespaces need"
    ).slice(0, CONDITION_LIMITS.message),
  };
}
