import { clusterCaView, memberGnsIds } from './snapshot-ca';

const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`;
const payload = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

describe('cluster CA view from a desired-state payload', () => {
  const roots = [
    { generation: 1, certificatePem: pem('r1') },
    { generation: 2, certificatePem: pem('r2').replace(/\n/g, '\r\n') },
  ];
  const state = payload({
    globalNamespaces: [
      { id: 'g1', ca: { trustBundlePem: pem('r1') + pem('r2'), rootGeneration: 2 } },
      { id: 'g2' },
    ],
  });

  it('lists member GNS and survives unreadable payloads', () => {
    expect(memberGnsIds(state)).toEqual(['g1', 'g2']);
    expect(memberGnsIds(null)).toEqual([]);
    expect(memberGnsIds(Buffer.from('{not json'))).toEqual([]);
  });

  it('maps the bundle to root generations (whitespace-insensitive) and names the intermediate root', () => {
    expect(clusterCaView('c1', state, 'g1', roots)).toEqual({
      clusterId: 'c1',
      appliedTrustedRootGenerations: [1, 2],
      appliedIntermediateRootGeneration: 2,
    });
  });

  it('reports nothing trusted for a GNS without CA material', () => {
    expect(clusterCaView('c1', state, 'g2', roots)).toEqual({
      clusterId: 'c1',
      appliedTrustedRootGenerations: [],
      appliedIntermediateRootGeneration: null,
    });
  });
});
