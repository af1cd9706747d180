import { MESH_INSTALLATION_LIMITS, validateMeshInstallation } from '@lattice/domain';
import type { MeshInstallation__Output } from '@lattice/proto';
import { meshInstallationFromProto } from './agent-messages.util';

const reported = (overrides: Partial<MeshInstallation__Output> = {}): MeshInstallation__Output => ({
  meshConfigFound: true,
  meshConfigName: 'istio',
  trustDomain: 'cluster.local',
  trustDomainAliases: ['shop.lattice.local'],
  dnsCapture: true,
  dnsAutoAllocate: false,
  network: 'net-a',
  eastWestGateway: null,
  istioVersion: '1.24.2',
  revision: 'default',
  localities: [],
  problems: [],
  source: 'kubernetes',
  ...overrides,
});

describe('meshInstallationFromProto', () => {
  it('maps an unset gateway to null and keeps a well-formed report valid', () => {
    const installation = meshInstallationFromProto(reported());
    expect(installation.eastWestGateway).toBeNull();
    expect(validateMeshInstallation(installation)).toEqual([]);
  });

  it('bounds strings, so an over-long or control-character value is refused naming its field', () => {
    const long = meshInstallationFromProto(reported({ trustDomain: 'a'.repeat(100_000) }));
    expect(long.trustDomain.length).toBeLessThan(300);
    expect(new Set(validateMeshInstallation(long).map((p) => p.field))).toEqual(
      new Set(['mesh.trustDomain']),
    );
    const forged = meshInstallationFromProto(reported({ network: 'net\nfake log line' }));
    expect(forged.network).toBe('net fake log line');
    expect(validateMeshInstallation(forged).map((p) => p.field)).toEqual(['mesh.network']);
  });

  it('cuts lists one past their limit, so the validation still sees they were too long', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `a${i}.example`);
    const installation = meshInstallationFromProto(reported({ trustDomainAliases: many }));
    expect(installation.trustDomainAliases).toHaveLength(MESH_INSTALLATION_LIMITS.aliases + 1);
    expect(validateMeshInstallation(installation).map((p) => p.field)).toEqual(['mesh.trustDomainAliases']);
  });
});
