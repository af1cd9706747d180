import type { DesiredClusterState, DesiredGlobalNamespace } from '../desired-state';
import { assignMeshCa } from './mesh-ca';

const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----`;

function member(id: string, roots: string[] | null): DesiredGlobalNamespace {
  return {
    id,
    name: id,
    domain: `${id}.local`,
    mtlsMode: 'STRICT',
    localNamespaces: ['ns'],
    services: [],
    ...(roots === null
      ? {}
      : {
          ca: {
            certChainPem: `${pem(`${id}-int`)}\n${pem(`${id}-root`)}\n`,
            trustBundlePem: roots.map((root) => `${pem(root)}\n`).join(''),
            rootGeneration: 1,
          },
        }),
  };
}

function states(entries: Record<string, DesiredGlobalNamespace[]>): Map<string, DesiredClusterState> {
  return new Map(
    Object.entries(entries).map(([clusterId, globalNamespaces]) => [
      clusterId,
      { clusterId, clusterName: clusterId, globalNamespaces },
    ]),
  );
}

const bundle = (...roots: string[]) => roots.map((root) => `${pem(root)}\n`).join('');

describe('assignMeshCa', () => {
  it('designates the oldest GNS with CA material and trusts every GNS of the cluster', () => {
    const result = assignMeshCa(
      states({ east: [member('young', ['young-r1']), member('old', ['old-r1', 'old-r2'])] }),
      ['old', 'young'],
    );
    expect(result.get('east')?.meshCa).toEqual({
      gnsId: 'old',
      trustBundlePem: bundle('old-r1', 'old-r2', 'young-r1'),
    });
  });

  it('skips GNS whose intermediate is not signed yet and leaves clusters without any CA alone', () => {
    const result = assignMeshCa(
      states({ east: [member('old', null), member('young', ['young-r1'])], west: [member('old', null)] }),
      ['old', 'young'],
    );
    expect(result.get('east')?.meshCa?.gnsId).toBe('young');
    expect(result.get('west')?.meshCa).toBeUndefined();
  });

  it('trusts the designated GNS of every cluster it shares a GNS with (both directions verify)', () => {
    // east is in a and b and designates a; west is only in b. West must trust a's root, or
    // workloads from east (certificates from a) would be refused there.
    const result = assignMeshCa(
      states({ east: [member('a', ['a-r1']), member('b', ['b-r1'])], west: [member('b', ['b-r1'])] }),
      ['a', 'b'],
    );
    expect(result.get('east')?.meshCa).toEqual({ gnsId: 'a', trustBundlePem: bundle('a-r1', 'b-r1') });
    expect(result.get('west')?.meshCa).toEqual({ gnsId: 'b', trustBundlePem: bundle('a-r1', 'b-r1') });
  });

  it('lists a root shared by two bundles once (both roots during a rotation)', () => {
    const result = assignMeshCa(
      states({ east: [member('a', ['a-r1', 'a-r2'])], west: [member('a', ['a-r1', 'a-r2'])] }),
      ['a'],
    );
    expect(result.get('west')?.meshCa?.trustBundlePem).toBe(bundle('a-r1', 'a-r2'));
  });
});
