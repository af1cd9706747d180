import { z } from 'zod';
import { defineChannel, type ChannelMessage } from '../../platform/events/events.types';

/** A cluster's agent must be disconnected (the cluster was revoked or deleted). */
export const clusterRevoked = defineChannel(
  'cluster-revoked',
  z.object({ tenantId: z.uuid(), clusterId: z.uuid() }),
);
export type ClusterRevokedEvent = ChannelMessage<typeof clusterRevoked>;
