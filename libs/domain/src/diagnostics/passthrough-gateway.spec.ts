import type { PassthroughGateway } from './mesh-installation';
import {
  coveringPassthroughGateway,
  gatewayHostCoversDomain,
  gatewayHostName,
  gatewaySelectsPods,
  hostSubsetOf,
} from './passthrough-gateway';

const DOMAIN = 'shop.example';

describe('hostSubsetOf (Istio host.Name.SubsetOf)', () => {
  it.each([
    // [name, pattern, covered]: the cases of TestNameSubsetOf in Istio's pkg/config/host/name_test.go
    ['', '', true],
    ['', 'foo.com', false],
    ['foo.com', '', false],
    ['foo.com', 'foo.com', true],
    ['bar.com', 'foo.com', false],
    ['foo.com', 'bar.com', false],
    ['bar.foo.com', 'foo.com', false],
    ['foo.com', 'bar.foo.com', false],
    ['foo.com', '*.com', true],
    ['bar.com', '*.com', true],
    ['bar.foo.com', '*.foo.com', true],
    ['foo.com', '*', true],
    ['*.com', '*', true],
    ['com', '*', true],
    ['*', '*', true],
    ['', '*', true],
    ['*.foo.com', '*.com', true],
    ['*.foo.com', 'foo.com', false],
    ['*.foo.bar.baz', 'baz', false],
    ['foo.bar.baz', '*.baz', true],
    // and the other direction of the wildcard cases
    ['*.com', '*.foo.com', false],
    ['*', '*.com', false],
  ])('%j ⊆ %j is %s', (name, pattern, covered) => {
    expect(hostSubsetOf(name, pattern)).toBe(covered);
  });
});

describe('gatewayHostCoversDomain', () => {
  it.each([
    ['*', true],
    [`*.${DOMAIN}`, true],
    ['*.example', true],
    // Istio's sample cross-network-gateway: covers only domains under .local
    ['*.local', false],
    [`cart.${DOMAIN}`, false],
    [DOMAIN, false],
    [`*.eu.${DOMAIN}`, false],
    ['*.hop.example', false],
    // The namespace part is dropped for AUTO_PASSTHROUGH (GetSNIHostsForServer)
    [`istio-system/*.${DOMAIN}`, true],
    [`*/*.${DOMAIN}`, true],
    [`./*.${DOMAIN}`, true],
    ['other-ns/*', true],
    ['*/*.local', false],
  ])('%s → %s', (host, covered) => {
    expect(gatewayHostCoversDomain(host, DOMAIN)).toBe(covered);
  });

  it("covers a .local GNS domain with Istio's own *.local sample", () => {
    expect(gatewayHostCoversDomain('*.local', 'shop.lattice.local')).toBe(true);
  });

  it('reads the dnsName after the namespace as istiod does', () => {
    expect(gatewayHostName('ns/a.example')).toBe('a.example');
    expect(gatewayHostName('a.example')).toBe('a.example');
    expect(gatewayHostName('a/b/c')).toBe('b');
  });
});

describe('gatewaySelectsPods', () => {
  const pods = { istio: 'eastwestgateway', app: 'istio-eastwestgateway' };

  it('applies when every selector label is one of the pod labels, or the selector is empty', () => {
    expect(gatewaySelectsPods({ istio: 'eastwestgateway' }, pods)).toBe(true);
    expect(gatewaySelectsPods(pods, pods)).toBe(true);
    expect(gatewaySelectsPods({}, pods)).toBe(true);
  });

  it('does not apply on another value, or a label the pods are not known to carry', () => {
    expect(gatewaySelectsPods({ istio: 'ingressgateway' }, pods)).toBe(false);
    expect(gatewaySelectsPods({ istio: 'eastwestgateway', topology: 'x' }, pods)).toBe(false);
    expect(gatewaySelectsPods({ toString: 'x' }, {})).toBe(false);
  });
});

describe('coveringPassthroughGateway', () => {
  const gateway = (name: string, selector: Record<string, string>, hosts: string[]): PassthroughGateway => ({
    namespace: 'istio-system',
    name,
    selector,
    hosts,
  });
  const pods = { istio: 'eastwestgateway' };

  it('finds the first Gateway on the pods with a covering host', () => {
    const ingress = gateway('ingress', { istio: 'ingressgateway' }, ['*']);
    const local = gateway('cross-network-gateway', pods, ['*.local']);
    const gns = gateway('shop', pods, ['*.local', `*.${DOMAIN}`]);
    expect(coveringPassthroughGateway([ingress, local, gns], pods, DOMAIN)).toEqual({
      gateway: gns,
      host: `*.${DOMAIN}`,
    });
  });

  it('is null when the covering Gateway is on other pods, or none covers', () => {
    expect(
      coveringPassthroughGateway([gateway('ingress', { istio: 'ingressgateway' }, ['*'])], pods, DOMAIN),
    ).toBeNull();
    expect(coveringPassthroughGateway([gateway('local', pods, ['*.local'])], pods, DOMAIN)).toBeNull();
    expect(coveringPassthroughGateway([], pods, DOMAIN)).toBeNull();
  });
});
