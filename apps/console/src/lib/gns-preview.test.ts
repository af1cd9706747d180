import { describe, expect, it } from 'vitest';
import { previewGns } from './gns-preview';

const clusters = [
  { id: 'c1', name: 'east' },
  { id: 'c2', name: 'west' },
  { id: 'c3', name: 'edge' },
];
const bookinfo = {
  id: 'g1',
  name: 'bookinfo',
  createdAt: '2026-01-01T00:00:00Z',
  members: [
    { clusterId: 'c1', clusterName: 'east', namespace: 'bookinfo' },
    { clusterId: 'c2', clusterName: 'west', namespace: 'bookinfo' },
  ],
};

describe('previewGns', () => {
  it('refuses what the controller refuses, with the same messages', () => {
    const preview = previewGns(
      [{ cluster: { type: 'REGEX', value: '(?=east)east' }, namespace: { type: 'EXACT', value: 'Shop' } }],
      clusters,
      [],
      {},
    );
    expect(preview.errors.map((e) => e.field)).toEqual([
      'matchConditions[0].cluster.value',
      'matchConditions[0].namespace.value',
    ]);
    expect(previewGns([], clusters, [], {}).errors[0]!.message).toContain('at least one match condition');
  });

  it('lists matching clusters, known namespaces claimed and the conflicts an older GNS wins', () => {
    const preview = previewGns(
      [{ cluster: { type: 'REGEX', value: 'east|edge' }, namespace: { type: 'PREFIX', value: 'book' } }],
      clusters,
      [bookinfo],
      {},
    );
    expect(preview.errors).toEqual([]);
    expect(preview.clusters).toEqual(['east', 'edge']);
    expect(preview.members.map((m) => `${m.clusterName}/${m.namespace}`)).toEqual(['east/bookinfo']);
    expect(preview.conflicts).toEqual([{ member: bookinfo.members[0], keptBy: 'bookinfo' }]);
  });

  it('does not count the edited GNS against itself, and a REGEX must match the whole name', () => {
    const self = previewGns(
      [{ cluster: { type: 'REGEX', value: 'east|west' }, namespace: { type: 'EXACT', value: 'bookinfo' } }],
      clusters,
      [bookinfo],
      { id: 'g1', createdAt: bookinfo.createdAt },
    );
    expect(self.members).toHaveLength(2);
    expect(self.conflicts).toEqual([]);
    expect(
      previewGns(
        [{ cluster: { type: 'REGEX', value: 'eas' }, namespace: { type: 'EXACT', value: 'x' } }],
        clusters,
        [],
        {},
      ).clusters,
    ).toEqual([]);
  });
});
