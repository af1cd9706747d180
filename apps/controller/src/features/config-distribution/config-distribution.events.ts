import { z } from 'zod';
import { defineChannel, type ChannelMessage } from '../../platform/events/events.types';

/** Announcements one message carries at most (a recomputation publishes one per stored chunk). */
export const MAX_ANNOUNCED_SNAPSHOTS = 100;

/**
 * New desired snapshot versions of some of a tenant's clusters (those stored in one statement),
 * announced to every replica so that the ones holding the clusters' agent streams push them
 * (whichever replica computed them). One message per chunk rather than per cluster: a change of a
 * 1,000-cluster fleet is ten messages to publish, receive and validate on every replica.
 */
export const snapshotsAnnounced = defineChannel(
  'cluster-snapshots',
  z.object({
    tenantId: z.uuid(),
    snapshots: z
      .array(z.object({ clusterId: z.uuid(), version: z.int().nonnegative() }))
      .min(1)
      .max(MAX_ANNOUNCED_SNAPSHOTS),
  }),
);
export type SnapshotsAnnouncement = ChannelMessage<typeof snapshotsAnnounced>;

/**
 * One cluster's new version, as replicas of the previous release announce it: still heard, so
 * their recomputations reach the streams held here during a rolling upgrade.
 */
export const snapshotAnnounced = defineChannel(
  'cluster-snapshot',
  z.object({ tenantId: z.uuid(), clusterId: z.uuid(), version: z.int().nonnegative() }),
);
