import {
  DEFAULT_SERVICE_VIP_RANGE,
  lowestFreeAddress,
  needsVirtualAddress,
  parseAddressRange,
  planAddresses,
  rangeContains,
  servicesNeedingAddresses,
  type AddressRange,
} from './virtual-addresses';
import { computeMembership } from './membership';
import { anyCluster, cluster, gns, http, service } from './test-fixtures';

function range(cidr: string): AddressRange {
  const parsed = parseAddressRange(cidr);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.range;
}

describe('virtual address ranges', () => {
  it('accepts the default range, beside Istio auto-allocation, without network and broadcast', () => {
    const vips = range(DEFAULT_SERVICE_VIP_RANGE);
    expect(vips.cidr).toBe('240.241.0.0/16');
    expect(rangeContains(vips, '240.241.0.0')).toBe(false);
    expect(rangeContains(vips, '240.241.0.1')).toBe(true);
    expect(rangeContains(vips, '240.241.255.254')).toBe(true);
    expect(rangeContains(vips, '240.241.255.255')).toBe(false);
    expect(rangeContains(vips, '240.240.0.1')).toBe(false);
    expect(rangeContains(vips, 'not-an-ip')).toBe(false);
  });

  it.each([
    ['240.240.0.0/16', "overlaps 240.240.0.0/16, the range of Istio's own address auto-allocation"],
    ['240.0.0.0/4', 'overlaps 240.240.0.0/16'],
    ['10.0.0.0/31', 'fewer than 4 addresses'],
    ['10.0.0.0', 'is not a CIDR range'],
    ['nonsense/8', 'is not a CIDR range'],
  ])('refuses %s', (cidr, message) => {
    const parsed = parseAddressRange(cidr);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toContain(message);
  });

  it('normalises a range given by any address inside it, and handles IPv6', () => {
    expect(range('10.9.8.7/24').cidr).toBe('10.9.8.0/24');
    const v6 = range('fd00:1::/120');
    expect(lowestFreeAddress(v6, new Set())).toBe('fd00:1::');
    expect(rangeContains(v6, 'fd00:1::ff')).toBe(true);
    expect(rangeContains(v6, '10.0.0.1')).toBe(false);
  });

  it('hands out the lowest free address and says when the range is full', () => {
    const small = range('10.0.0.0/30'); // .1 and .2 usable
    expect(lowestFreeAddress(small, new Set())).toBe('10.0.0.1');
    expect(lowestFreeAddress(small, new Set(['10.0.0.1', '192.0.2.1']))).toBe('10.0.0.2');
    expect(lowestFreeAddress(small, new Set(['10.0.0.1', '10.0.0.2']))).toBeNull();
  });
});

describe('which services get an address, and the plan', () => {
  it('gives addresses to hosts with a TCP-based port Envoy cannot route by Host', () => {
    expect(needsVirtualAddress([{ name: 'http', number: 80, protocol: 'HTTP' }])).toBe(false);
    expect(needsVirtualAddress([{ name: 'grpc', number: 90, protocol: 'GRPC' }])).toBe(false);
    for (const protocol of ['TCP', 'TLS', 'HTTPS', 'MONGO'])
      expect(needsVirtualAddress([{ name: 'p', number: 1, protocol }])).toBe(true);
  });

  it('lists the TCP/TLS services of every GNS', () => {
    const shop = gns({
      id: 'g',
      name: 'shop',
      matchConditions: [anyCluster({ type: 'EXACT', value: 'shop' })],
    });
    const membership = computeMembership(
      [shop],
      [
        cluster('c', 'c', [
          service('shop', 'web', [http(80)]),
          service('shop', 'mainframe', [{ name: 'tn3270', port: 3270, protocol: 'TCP', targetPort: 3270 }]),
        ]),
      ],
    );
    expect(servicesNeedingAddresses(membership)).toEqual([{ gnsId: 'g', service: 'mainframe' }]);
  });

  it('keeps what is still wanted, releases what left or fell out of the range, allocates the rest', () => {
    const vips = range('240.241.0.0/16');
    const plan = planAddresses(
      [
        { gnsId: 'g', service: 'kept' },
        { gnsId: 'g', service: 'new' },
        { gnsId: 'g', service: 'moved' },
      ],
      [
        { gnsId: 'g', service: 'kept', address: '240.241.0.1' },
        { gnsId: 'g', service: 'gone', address: '240.241.0.2' },
        { gnsId: 'g', service: 'moved', address: '10.0.0.1' },
      ],
      vips,
    );
    expect(plan.keep).toEqual([{ gnsId: 'g', service: 'kept', address: '240.241.0.1' }]);
    expect(plan.release.map((entry) => entry.service)).toEqual(['gone', 'moved']);
    expect(plan.allocate).toEqual([
      { gnsId: 'g', service: 'new' },
      { gnsId: 'g', service: 'moved' },
    ]);
  });
});
