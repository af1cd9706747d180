import { RotationAckGate, snapshotCaSummary, stateCaSummary } from './snapshot-ca';

const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`;
const OLD_ROOT = pem('T0xE');
const NEW_ROOT = pem('TkVX');

function payload(
  gns: { id: string; bundle?: string[]; generation?: number }[],
  extra: Record<string, unknown> = {},
): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      clusterId: 'c-1',
      globalNamespaces: gns.map((entry) => ({
        id: entry.id,
        services: [],
        ...(entry.bundle
          ? {
              ca: {
                certChainPem: 'x',
                trustBundlePem: entry.bundle.join(''),
                rootGeneration: entry.generation ?? 1,
              },
            }
          : {}),
      })),
      ...extra,
    }),
    'utf8',
  );
}

describe('RotationAckGate', () => {
  const idle = payload([{ id: 'shop', bundle: [OLD_ROOT] }]);

  it('lets the first ACK of a stream through, then skips ACKs that change nothing for the CA', () => {
    const gate = new RotationAckGate();
    gate.snapshotSent(1, idle);
    expect(gate.acked(1, 1)).toBe(true);
    // A policy or service change: same GNS, same roots and intermediates.
    gate.snapshotSent(2, payload([{ id: 'shop', bundle: [OLD_ROOT] }], { meshCa: { gnsId: 'shop' } }));
    expect(gate.acked(2, 2)).toBe(true); // the ACK right after a change still counts
    gate.snapshotSent(3, payload([{ id: 'shop', bundle: [OLD_ROOT] }], { note: 'other' }));
    expect(gate.acked(3, 3)).toBe(false);
    gate.snapshotSent(4, idle);
    expect(gate.acked(4, 4)).toBe(false);
  });

  it('summarises a state in memory as it summarises its payload, and takes either', () => {
    const sent = payload([{ id: 'shop', bundle: [OLD_ROOT, NEW_ROOT], generation: 2 }, { id: 'blog' }]);
    const state = JSON.parse(Buffer.from(sent).toString('utf8')) as { globalNamespaces: unknown };
    expect(stateCaSummary(state)).toEqual(snapshotCaSummary(sent));
    expect(stateCaSummary({}).trustsSeveralRoots).toBe(true); // no list: errs on checking
    const gate = new RotationAckGate();
    expect(gate.snapshotSent(1, stateCaSummary(state))).toBe(true);
    expect(gate.snapshotSent(2, sent)).toBe(false);
    expect(gate.acked(2, 2)).toBe(true); // trusts two roots
  });

  it('tells whether a sent snapshot changed the CA part of the one sent before it', () => {
    const gate = new RotationAckGate();
    expect(gate.snapshotSent(1, idle)).toBe(true); // the first on the stream
    expect(gate.snapshotSent(2, payload([{ id: 'shop', bundle: [OLD_ROOT] }], { note: 'a service' }))).toBe(
      false,
    );
    // A new membership, a new root in a bundle, an intermediate from another root.
    expect(gate.snapshotSent(3, payload([{ id: 'shop', bundle: [OLD_ROOT] }, { id: 'blog' }]))).toBe(true);
    expect(
      gate.snapshotSent(4, payload([{ id: 'shop', bundle: [OLD_ROOT, NEW_ROOT] }, { id: 'blog' }])),
    ).toBe(true);
    expect(
      gate.snapshotSent(
        5,
        payload([{ id: 'shop', bundle: [OLD_ROOT, NEW_ROOT], generation: 2 }, { id: 'blog' }]),
      ),
    ).toBe(true);
    expect(gate.snapshotSent(6, Buffer.from('not json'))).toBe(true); // unreadable: errs on checking
  });

  it('lets every ACK through while a GNS trusts two roots, and the ones that drop the old root', () => {
    const gate = new RotationAckGate();
    gate.snapshotSent(1, idle);
    gate.acked(1, 1);
    gate.snapshotSent(2, idle);
    gate.acked(2, 2);

    const trustBoth = payload([{ id: 'shop', bundle: [OLD_ROOT, NEW_ROOT] }]);
    for (const version of [3, 4, 5]) {
      gate.snapshotSent(version, trustBoth);
      expect(gate.acked(version, version)).toBe(true);
    }
    const dropOld = payload([{ id: 'shop', bundle: [NEW_ROOT], generation: 2 }]);
    gate.snapshotSent(6, dropOld);
    expect(gate.acked(6, 6)).toBe(true);
    gate.snapshotSent(7, dropOld);
    expect(gate.acked(7, 7)).toBe(true);
    gate.snapshotSent(8, dropOld);
    expect(gate.acked(8, 8)).toBe(false);
  });

  it('does not settle on an older version while a newer one is on its way', () => {
    const gate = new RotationAckGate();
    gate.snapshotSent(1, idle);
    gate.acked(1, 1);
    gate.snapshotSent(2, idle);
    gate.acked(2, 2);
    const joined = payload([{ id: 'shop', bundle: [OLD_ROOT] }, { id: 'billing' }]);
    gate.snapshotSent(3, joined);
    gate.snapshotSent(4, joined);
    gate.snapshotSent(5, joined);
    expect(gate.acked(3, 5)).toBe(true);
    expect(gate.acked(4, 5)).toBe(true);
    expect(gate.acked(5, 5)).toBe(true);
    gate.snapshotSent(6, joined);
    expect(gate.acked(6, 6)).toBe(true);
    gate.snapshotSent(7, joined);
    expect(gate.acked(7, 7)).toBe(false);
  });

  it('lets ACKs of versions it did not send through, and the one after', () => {
    const gate = new RotationAckGate();
    gate.snapshotSent(1, idle);
    gate.acked(1, 1);
    gate.snapshotSent(2, idle);
    gate.acked(2, 2);
    expect(gate.acked(9, 2)).toBe(true);
    gate.snapshotSent(10, idle);
    expect(gate.acked(10, 10)).toBe(true);
    gate.nacked(11);
  });

  it('summarises GNS membership, bundles and intermediate generations, in any order', () => {
    const a = snapshotCaSummary(payload([{ id: 'a', bundle: [OLD_ROOT] }, { id: 'b' }]));
    const reordered = snapshotCaSummary(payload([{ id: 'b' }, { id: 'a', bundle: [OLD_ROOT] }]));
    expect(reordered).toEqual(a);
    expect(a.trustsSeveralRoots).toBe(false);
    expect(
      snapshotCaSummary(payload([{ id: 'a', bundle: [OLD_ROOT], generation: 2 }, { id: 'b' }])).key,
    ).not.toBe(a.key);
    expect(snapshotCaSummary(payload([{ id: 'a', bundle: [OLD_ROOT] }])).key).not.toBe(a.key);
    expect(snapshotCaSummary(Buffer.from('not json')).trustsSeveralRoots).toBe(true);
  });
});
