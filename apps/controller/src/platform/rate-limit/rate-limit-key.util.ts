import type { Principal } from '../auth/principal.util';

/** The parts of a request the limiter keys on. */
export interface TrackedRequest {
  ip?: string;
  principal?: Principal;
}

/**
 * Whom a request is counted against: the AUTHENTICATED principal (token id, or the operator), never
 * the raw Authorization header, so spelling variants of one token share one budget; the client IP
 * for public routes (no principal).
 */
export function trackerOf(request: TrackedRequest): string {
  const principal = request.principal;
  if (principal?.kind === 'token') return `token:${principal.tokenId}`;
  if (principal?.kind === 'operator') return 'operator';
  return `ip:${clientIpOf(request)}`;
}

/** request.ip (Express applies `trust proxy`), with IPv4-mapped IPv6 folded to IPv4. */
export function clientIpOf(request: { ip?: string }): string {
  const ip = request.ip;
  if (!ip) return 'unknown';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice('::ffff:'.length) : ip;
}

/**
 * The host of a grpc-js peer string ("ipv4:127.0.0.1:5000", "ipv6:[::1]:5000", "127.0.0.1:5000",
 * "[::1]:5000", "unix:/path"), without the port: one budget per client address, not per connection.
 */
export function grpcPeerHost(peer: string): string {
  let rest = peer.replace(/^(ipv4|ipv6|dns):/, '');
  if (rest.startsWith('unix:')) return rest;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    rest = end > 0 ? rest.slice(1, end) : rest;
  } else if (rest.split(':').length === 2) {
    rest = rest.slice(0, rest.lastIndexOf(':'));
  }
  return clientIpOf({ ip: rest });
}
