import { z } from 'zod';
import { defineChannel, type ChannelMessage } from '../../platform/events/events.types';

/**
 * Tells the replica that holds a cluster's agent stream to check which intermediates to ask that
 * cluster for (a rotation stage moved on, a GNS root was created).
 */
export const caCheckRequested = defineChannel(
  'cluster-ca-check',
  z.object({ tenantId: z.uuid(), clusterId: z.uuid() }),
);
export type CaCheckEvent = ChannelMessage<typeof caCheckRequested>;
