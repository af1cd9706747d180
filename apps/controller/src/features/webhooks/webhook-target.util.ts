import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Why a webhook may not reach an address, or null when it is an ordinary public unicast address.
 * The ranges come from ipaddr.js (a maintained table of IANA special-purpose ranges): only `unicast`
 * is allowed. IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are
 * refused as such, and the reason names the IPv4 address inside and its range.
 */
export function nonPublicReason(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return null; // a name: checked after resolution
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv4') {
    const range = parsed.range();
    return range === 'unicast' ? null : `${bare} is in the ${RANGE_NAMES[range] ?? range} range`;
  }
  const ipv6 = parsed as ipaddr.IPv6;
  const parts = ipv6.parts;
  // ipaddr.js reads "::1.2.3.4" (IPv4-compatible) as IPv4-mapped; compatible addresses with a hex
  // tail (::a00:1) it calls unicast. Both reach the IPv4 address on many stacks: classify ::/96 here.
  const compatible = parts.slice(0, 6).every((part) => part === 0) && (parts[6] !== 0 || parts[7]! > 1);
  const range = compatible ? 'ipv4Compatible' : ipv6.range();
  if (range === 'unicast') return null;
  const embedded = embeddedIpv4(ipv6, range);
  const inside = embedded ? ` embedding ${embedded} (${ipv4RangeName(embedded)})` : '';
  return `${bare} is in the ${RANGE_NAMES[range] ?? range} range${inside}`;
}

export function isNonPublicAddress(address: string): boolean {
  return nonPublicReason(address) !== null;
}

const RANGE_NAMES: Record<string, string> = {
  unspecified: 'unspecified (0.0.0.0/8, ::)',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT (100.64.0.0/10)',
  private: 'private (RFC 1918)',
  reserved: 'reserved / documentation',
  uniqueLocal: 'unique-local (fc00::/7)',
  ipv4Mapped: 'IPv4-mapped (::ffff:0:0/96)',
  ipv4Compatible: 'IPv4-compatible (::/96)',
  rfc6145: 'IPv4-translated (::ffff:0:0:0/96)',
  rfc6052: 'NAT64 (64:ff9b::/96)',
  '6to4': '6to4 (2002::/16)',
  teredo: 'Teredo (2001::/32)',
};

function ipv4RangeName(address: string): string {
  const range = ipaddr.IPv4.parse(address).range();
  return range === 'unicast' ? 'public' : (RANGE_NAMES[range] ?? range);
}

function embeddedIpv4(address: ipaddr.IPv6, range: string): string | null {
  const p = address.parts;
  const fromWords = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  switch (range) {
    case 'ipv4Mapped':
    case 'ipv4Compatible':
    case 'rfc6145':
    case 'rfc6052':
      return fromWords(p[6]!, p[7]!);
    case '6to4':
      return fromWords(p[1]!, p[2]!);
    case 'teredo':
      // The client's address, obfuscated by inverting its bits (RFC 4380).
      return fromWords(p[6]! ^ 0xffff, p[7]! ^ 0xffff);
    default:
      return null;
  }
}

export type Resolver = (host: string) => Promise<string[]>;

/** All addresses of a name (A and AAAA, as the HTTP client would connect to), bounded by timeoutMs. */
export function resolveWithTimeout(timeoutMs: number): Resolver {
  return (host) =>
    new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${host} did not resolve within ${timeoutMs} ms`)),
        timeoutMs,
      );
      dns.lookup(host, { all: true }, (error, addresses) => {
        clearTimeout(timer);
        if (error) reject(new Error(`${host} does not resolve (${error.code ?? error.message})`));
        else resolve(addresses.map((entry) => entry.address));
      });
    });
}

/**
 * Checks a webhook URL's host when the webhook is created or replaced: a literal address must be
 * public, a name must resolve and all its addresses must be public. Returns the problem, or null.
 * (Delivery checks again at connect time: a name may be re-pointed later.)
 */
export async function webhookTargetProblem(url: string, resolve: Resolver): Promise<string | null> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) !== 0 || ipaddr.isValid(host)) {
    const reason = nonPublicReason(host);
    return reason ? refusalText(reason) : null;
  }
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (addresses.length === 0) return `${host} does not resolve`;
  for (const address of addresses) {
    const reason = nonPublicReason(address);
    if (reason) return refusalText(`${host}: ${reason}`);
  }
  return null;
}

export function refusalText(reason: string): string {
  return `refused: ${reason}, not a public address (LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true allows receivers on private networks)`;
}
