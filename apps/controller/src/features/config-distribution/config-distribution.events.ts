import { z } from 'zod';
import { defineChannel, type ChannelMessage } from '../../platform/events/events.types';

/**
 * A new desired snapshot version of a cluster, announced to every replica so that the one holding
 * the cluster's agent stream pushes it (whichever replica computed it).
 */
export const snapshotAnnounced = defineChannel(
  'cluster-snapshot',
  z.object({ tenantId: z.uuid(), clusterId: z.uuid(), version: z.int().nonnegative() }),
);
export type SnapshotAnnouncement = ChannelMessage<typeof snapshotAnnounced>;
