import { z } from 'zod';
import { defineChannel, type ChannelMessage } from '../../platform/events/events.types';

/** A cluster's agent must be disconnected (the cluster was revoked or deleted). */
export const clusterRevoked = defineChannel(
  'cluster-revoked',
  z.object({ tenantId: z.uuid(), clusterId: z.uuid() }),
);
export type ClusterRevokedEvent = ChannelMessage<typeof clusterRevoked>;

/**
 * The cluster's agent was bootstrapped again: every stream of the cluster except the one presenting
 * `fingerprint` (the new certificate) must be closed, on whichever replica holds it.
 */
export const agentReplaced = defineChannel(
  'cluster-agent-replaced',
  z.object({ tenantId: z.uuid(), clusterId: z.uuid(), fingerprint: z.string().min(1).max(200) }),
);
export type AgentReplacedEvent = ChannelMessage<typeof agentReplaced>;
