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
  passthroughGateways: [],
  passthroughGatewaysRead: true,
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

  it('maps Gateways not read (an older agent, a failed list) to null, read ones bounded', () => {
    expect(
      meshInstallationFromProto(reported({ passthroughGatewaysRead: false })).passthroughGateways,
    ).toBeNull();
    const gateway = {
      namespace: 'istio-system',
      name: 'cross-network-gateway',
      selector: { istio: 'eastwestgateway' },
      hosts: ['*.local', 'istio-system/*.shop.lattice.local'],
    };
    const one = meshInstallationFromProto(reported({ passthroughGateways: [gateway] }));
    expect(one.passthroughGateways).toEqual([gateway]);
    expect(validateMeshInstallation(one)).toEqual([]);
    const many = meshInstallationFromProto(
      reported({
        passthroughGateways: Array.from({ length: 1_000 }, (_, i) => ({ ...gateway, name: `gw-${i}` })),
      }),
    );
    expect(many.passthroughGateways).toHaveLength(MESH_INSTALLATION_LIMITS.passthroughGateways + 1);
    expect(validateMeshInstallation(many).map((p) => p.field)).toEqual(['mesh.passthroughGateways']);
    const forged = meshInstallationFromProto(
      reported({ passthroughGateways: [{ ...gateway, selector: { 'bad key': 'x' }, hosts: ['a b'] }] }),
    );
    expect(new Set(validateMeshInstallation(forged).map((p) => p.field))).toEqual(
      new Set(['mesh.passthroughGateways[0].selector.bad key', 'mesh.passthroughGateways[0].hosts[0]']),
    );
  });
});
