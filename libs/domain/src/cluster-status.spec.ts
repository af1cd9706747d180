import { clusterStatus, CLUSTER_HEARTBEAT_GRACE_MS } from './cluster-status';

describe('clusterStatus', () => {
  const now = new Date('2026-11-21T12:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);

  it('is PENDING until an agent has connected once', () => {
    expect(clusterStatus({ firstConnectedAt: null, connectionId: null, lastSeenAt: null }, now)).toBe(
      'PENDING',
    );
  });

  it('is CONNECTED with an open stream heard from within the grace period', () => {
    expect(
      clusterStatus({ firstConnectedAt: ago(60_000), connectionId: 'r1:7', lastSeenAt: ago(5_000) }, now),
    ).toBe('CONNECTED');
  });

  it('is DISCONNECTED when the stream closed or went silent past the grace period', () => {
    expect(
      clusterStatus({ firstConnectedAt: ago(60_000), connectionId: null, lastSeenAt: ago(1_000) }, now),
    ).toBe('DISCONNECTED');
    const silent = {
      firstConnectedAt: ago(600_000),
      connectionId: 'r1:7',
      lastSeenAt: ago(CLUSTER_HEARTBEAT_GRACE_MS + 1),
    };
    expect(clusterStatus(silent, now)).toBe('DISCONNECTED');
  });
});
