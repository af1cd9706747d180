import { isNonPublicAddress, nonPublicReason, webhookTargetProblem } from './webhook-target.util';

describe('webhook target classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.5', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fd00::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    // The review's gaps: IPv6 forms that carry an IPv4 address.
    ['::ffff:127.0.0.1', 'IPv4-mapped (::ffff:0:0/96) range embedding 127.0.0.1 (loopback)'],
    ['::ffff:a00:1', 'IPv4-mapped (::ffff:0:0/96) range embedding 10.0.0.1 (private (RFC 1918))'],
    ['::a00:1', 'IPv4-compatible (::/96) range embedding 10.0.0.1 (private (RFC 1918))'],
    ['::7f00:1', 'IPv4-compatible (::/96) range embedding 127.0.0.1 (loopback)'],
    ['::1.2.3.4', 'range embedding 1.2.3.4 (public)'],
    ['64:ff9b::a00:1', 'NAT64 (64:ff9b::/96) range embedding 10.0.0.1 (private (RFC 1918))'],
    ['64:ff9b::7f00:1', 'NAT64 (64:ff9b::/96) range embedding 127.0.0.1 (loopback)'],
    ['2002:a00:1::', '6to4 (2002::/16) range embedding 10.0.0.1 (private (RFC 1918))'],
    ['2002:7f00:1::1', '6to4 (2002::/16) range embedding 127.0.0.1 (loopback)'],
    [
      '2001:0:4136:e378:8000:63bf:f5ff:fffe',
      'Teredo (2001::/32) range embedding 10.0.0.1 (private (RFC 1918))',
    ],
    ['[::1]', 'loopback'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(isNonPublicAddress(address)).toBe(true);
    expect(nonPublicReason(address)).toContain(reason);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001::200e', 'hooks.example.com'])(
    'allows %s (names are checked after resolution)',
    (address) => expect(nonPublicReason(address)).toBeNull(),
  );
});

describe('webhookTargetProblem', () => {
  const resolver = (table: Record<string, string[]>) => (host: string) =>
    host in table
      ? Promise.resolve(table[host]!)
      : Promise.reject(new Error(`${host} does not resolve (ENOTFOUND)`));

  it('checks a literal address without resolving', async () => {
    const never = () => Promise.reject(new Error('resolved'));
    await expect(webhookTargetProblem('http://[64:ff9b::a00:1]/hook', never)).resolves.toMatch(
      /^refused: 64:ff9b::a00:1 is in the NAT64/,
    );
    await expect(webhookTargetProblem('https://8.8.8.8/hook', never)).resolves.toBeNull();
  });

  it('refuses a name when any of its addresses is not public, and a name that does not resolve', async () => {
    const resolve = resolver({
      'public.test': ['93.184.216.34', '2606:4700:4700::1111'],
      'mixed.test': ['93.184.216.34', '10.0.0.7'],
    });
    await expect(webhookTargetProblem('https://public.test/x', resolve)).resolves.toBeNull();
    await expect(webhookTargetProblem('https://mixed.test/x', resolve)).resolves.toBe(
      'refused: mixed.test: 10.0.0.7 is in the private (RFC 1918) range, not a public address (LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true allows receivers on private networks)',
    );
    await expect(webhookTargetProblem('https://nowhere.test/x', resolve)).resolves.toBe(
      'nowhere.test does not resolve (ENOTFOUND)',
    );
  });
});
