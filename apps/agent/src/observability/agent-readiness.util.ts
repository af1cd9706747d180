import type { AgentStatus } from '../agent';

export interface AgentReadiness {
  ready: boolean;
  /** Why the agent is not ready; empty when it is. */
  reasons: string[];
}

/**
 * Ready when the agent keeps the cluster's Lattice configuration current and reports it: it is
 * connected to the controller or serving the snapshot it applied before (so a controller outage
 * does not take the agent out of service), and its inventory source has produced an inventory
 * (for Kubernetes: every watched resource listed at least once).
 */
export function agentReadiness(status: AgentStatus): AgentReadiness {
  const reasons: string[] = [];
  if (status.state === 'stopped') reasons.push('the agent has stopped');
  else if (status.state !== 'connected' && status.appliedVersion === 0)
    reasons.push(`not connected to the controller (${status.state}) and no snapshot applied yet`);
  if (!status.inventorySynced) reasons.push('the inventory has not been read yet');
  return { ready: reasons.length === 0, reasons };
}
