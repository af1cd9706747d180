import ipaddr from 'ipaddr.js';
import type { ServicePortSpec } from '../desired-state';
import type { MembershipResult } from './membership';

/**
 * Stable virtual addresses (ServiceEntry `addresses`) for GNS hosts. Without one, every TCP
 * ServiceEntry on a port shares the listener `0.0.0.0:<port>` in the sidecars (unless Istio's
 * auto-allocation is on), so two TCP services on one port cannot be told apart; HTTP is routed by
 * Host header and needs none. Addresses come from a configured range
 * (LATTICE_SERVICE_VIP_RANGE, default DEFAULT_SERVICE_VIP_RANGE), are stored per (tenant, GNS,
 * service), kept as long as the service is in the GNS and released when it leaves.
 */

/**
 * Default range: 240.241.0.0/16, in the reserved class E block like Istio's own auto-allocation
 * (240.240.0.0/16, `ISTIO_META_DNS_AUTO_ALLOCATE` and the ipallocate controller), but beside it,
 * so an address Lattice assigns is never one istiod assigns to another ServiceEntry.
 */
export const DEFAULT_SERVICE_VIP_RANGE = '240.241.0.0/16';
/** Istio's auto-allocation range (IPv4); a configured range must not overlap it. */
export const ISTIO_AUTO_ALLOCATION_RANGE = '240.240.0.0/16';

/** Protocols that do not need an address: Envoy routes them by Host/authority on a shared listener. */
const HOST_ROUTED = new Set(['HTTP', 'HTTP2', 'GRPC']);

export interface AddressRange {
  cidr: string;
  kind: 'ipv4' | 'ipv6';
  /** First and last usable address, as integers. */
  first: bigint;
  last: bigint;
}

/** Parses and checks a range; the error names what is wrong (for the start-up check). */
export function parseAddressRange(
  cidr: string,
): { ok: true; range: AddressRange } | { ok: false; error: string } {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(cidr.trim());
  } catch {
    return { ok: false, error: `"${cidr}" is not a CIDR range like ${DEFAULT_SERVICE_VIP_RANGE}` };
  }
  const [address, prefix] = parsed;
  const kind = address.kind();
  const bits = kind === 'ipv4' ? 32 : 128;
  const base = toBigInt(address.toByteArray()) & ~((1n << BigInt(bits - prefix)) - 1n);
  const size = 1n << BigInt(bits - prefix);
  // IPv4: no network or broadcast address (some stacks treat them specially).
  const first = kind === 'ipv4' && size > 2n ? base + 1n : base;
  const last = kind === 'ipv4' && size > 2n ? base + size - 2n : base + size - 1n;
  if (size < 4n) return { ok: false, error: `"${cidr}" holds fewer than 4 addresses; give a larger range` };
  if (kind === 'ipv4') {
    const [istio, istioPrefix] = ipaddr.parseCIDR(ISTIO_AUTO_ALLOCATION_RANGE) as [ipaddr.IPv4, number];
    const istioBase = toBigInt(istio.toByteArray());
    const istioLast = istioBase + (1n << BigInt(32 - istioPrefix)) - 1n;
    if (base <= istioLast && istioBase <= base + size - 1n)
      return {
        ok: false,
        error: `"${cidr}" overlaps ${ISTIO_AUTO_ALLOCATION_RANGE}, the range of Istio's own address auto-allocation`,
      };
  }
  return { ok: true, range: { cidr: `${fromBigInt(base, kind)}/${prefix}`, kind, first, last } };
}

export function rangeContains(range: AddressRange, address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() !== range.kind) return false;
  const value = toBigInt(parsed.toByteArray());
  return value >= range.first && value <= range.last;
}

/** Whether a host needs a virtual address: it has a port Envoy cannot route by Host header. */
export function needsVirtualAddress(ports: readonly ServicePortSpec[]): boolean {
  return ports.some((port) => !HOST_ROUTED.has(port.protocol));
}

export interface ServiceAddressKey {
  gnsId: string;
  service: string;
}

export interface StoredServiceAddress extends ServiceAddressKey {
  address: string;
}

/** Every (GNS, service) of the membership that needs an address, sorted. */
export function servicesNeedingAddresses(membership: MembershipResult): ServiceAddressKey[] {
  return membership.globalNamespaces.flatMap((gns) =>
    gns.services
      .filter((service) => needsVirtualAddress(service.ports))
      .map((service) => ({ gnsId: gns.gns.id, service: service.name })),
  );
}

export interface AddressPlan {
  /** Stored addresses still wanted (and inside the range): kept as they are. */
  keep: StoredServiceAddress[];
  /** Stored addresses whose service left, or that fall outside the (changed) range. */
  release: StoredServiceAddress[];
  /** Services that need an address and have none. */
  allocate: ServiceAddressKey[];
}

const keyOf = (entry: ServiceAddressKey) => `${entry.gnsId}/${entry.service}`;

export function planAddresses(
  needed: readonly ServiceAddressKey[],
  stored: readonly StoredServiceAddress[],
  range: AddressRange,
): AddressPlan {
  const wanted = new Set(needed.map(keyOf));
  const keep = stored.filter((entry) => wanted.has(keyOf(entry)) && rangeContains(range, entry.address));
  const kept = new Set(keep.map(keyOf));
  return {
    keep,
    release: stored.filter((entry) => !kept.has(keyOf(entry))),
    allocate: needed.filter((entry) => !kept.has(keyOf(entry))),
  };
}

/**
 * The lowest address of the range not in `used`, or null when the range is full. Lowest-first
 * makes concurrent allocators pick the same address; the store's unique index refuses all but
 * one, and the others retry with the winner's address in `used`.
 */
export function lowestFreeAddress(range: AddressRange, used: ReadonlySet<string>): string | null {
  const taken = new Set(
    [...used]
      .filter((address) => rangeContains(range, address))
      .map((address) => toBigInt(ipaddr.parse(address).toByteArray())),
  );
  for (let candidate = range.first; candidate <= range.last; candidate += 1n)
    if (!taken.has(candidate)) return fromBigInt(candidate, range.kind);
  return null;
}

function toBigInt(bytes: readonly number[]): bigint {
  return bytes.reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
}

function fromBigInt(value: bigint, kind: 'ipv4' | 'ipv6'): string {
  const length = kind === 'ipv4' ? 4 : 16;
  const bytes = Array.from({ length }, (_, index) =>
    Number((value >> BigInt(8 * (length - 1 - index))) & 0xffn),
  );
  return ipaddr.fromByteArray(bytes).toString();
}
