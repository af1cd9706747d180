import { createHash } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { requestIdFor } from './request-context.util';

/**
 * Callers this replica saw blocked (a credential over its budget, a client address over its budget
 * of failed authentications), until their block ends. Only a cache of what the shared budget in
 * Redis said — a block never ends early — bounded so made-up tokens cannot grow it.
 */
export class EdgeBlocklist {
  private readonly until = new Map<string, number>();

  constructor(private readonly maxEntries = 10_000) {}

  /** Seconds until `key` may be served again; 0 when it is not blocked here. */
  secondsLeft(key: string, now = Date.now()): number {
    const until = this.until.get(key);
    if (until === undefined) return 0;
    if (until > now) return Math.ceil((until - now) / 1000);
    this.until.delete(key);
    return 0;
  }

  remember(key: string, seconds: number, now = Date.now()): void {
    if (this.until.size >= this.maxEntries && !this.until.has(key)) {
      for (const [other, until] of this.until) if (until <= now) this.until.delete(other);
      // Still full of live blocks: forget the oldest (a Map keeps insertion order).
      if (this.until.size >= this.maxEntries) this.until.delete(this.until.keys().next().value!);
    }
    this.until.set(key, Math.max(this.until.get(key) ?? 0, now + seconds * 1000));
  }

  get size(): number {
    return this.until.size;
  }

  /**
   * Notes that `credential` just authenticated. A request from a blocked address still goes on to
   * the token lookup (which refuses a revoked token as always) if its credential is vouched for,
   * so other users behind the same address keep working; any other credential from that address
   * is refused without a lookup, so made-up tokens cost nothing once the address is blocked.
   */
  vouch(credential: string, now = Date.now()): void {
    this.vouched.delete(credential);
    if (this.vouched.size >= this.maxEntries) this.vouched.delete(this.vouched.keys().next().value!);
    this.vouched.set(credential, now + VOUCHED_FOR_MS);
  }

  isVouched(credential: string, now = Date.now()): boolean {
    const until = this.vouched.get(credential);
    if (until === undefined) return false;
    if (until > now) return true;
    this.vouched.delete(credential);
    return false;
  }

  private readonly vouched = new Map<string, number>();
}

/** How long a credential that authenticated counts as vouched for (see EdgeBlocklist.vouch). */
const VOUCHED_FOR_MS = 10 * 60_000;

/** Why a caller is refused without any I/O, if it is. */
export interface BlockedCaller {
  reason: 'credential' | 'address';
  seconds: number;
  message: string;
}

/**
 * Whether a request is refused on what this replica already knows, before its token is looked up:
 * its credential is over budget, or its address is over its budget of failed authentications and
 * it carries no credential that authenticated here recently. `address` is only computed if needed.
 */
export function blockedCaller(
  blocklist: EdgeBlocklist,
  authorization: string | undefined,
  address: () => string | undefined,
): BlockedCaller | undefined {
  const credential = authorization?.trim() ? credentialKey(authorization) : undefined;
  if (credential) {
    const seconds = blocklist.secondsLeft(credential);
    if (seconds > 0) return { reason: 'credential', seconds, message: CREDENTIAL_BLOCKED };
  }
  if (blocklist.size === 0) return undefined;
  const seconds = blocklist.secondsLeft(addressKey(address()));
  if (seconds > 0 && !(credential && blocklist.isVouched(credential))) {
    return { reason: 'address', seconds, message: ADDRESS_BLOCKED };
  }
  return undefined;
}

const CREDENTIAL_BLOCKED = 'rate limit exceeded for this credential; retry after the Retry-After seconds';
const ADDRESS_BLOCKED =
  'too many requests without a valid credential from this address; retry after the Retry-After seconds';

/**
 * The budget key of a credential: a hash of the Authorization header's last word (the token
 * whatever the scheme's spelling), known before the token is looked up. One key per token.
 */
export function credentialKey(authorization: string | undefined): string | undefined {
  const token = authorization?.trim().split(/\s+/).pop();
  return token ? `credential:${createHash('sha256').update(token).digest('hex').slice(0, 32)}` : undefined;
}

/** The budget key of a client address for requests without a working credential. */
export function addressKey(address: string | undefined): string {
  return `ip:${address ?? 'unknown'}`;
}

/** Why the shield turned a request or connection away (a metric label). */
export type ShedReason = 'credential' | 'address' | 'too-large' | 'connections';

export interface EdgeShieldOptions {
  blocklist: EdgeBlocklist;
  /** Path prefixes whose requests are checked against the blocklist (e.g. `/graphql`). */
  paths: readonly string[];
  /** Requests on those paths declaring a longer body (Content-Length) are refused with 413 unread. */
  maxBodyBytes: number;
  /** The message of that 413 (naming the setting). */
  tooLargeMessage: string;
  /** The client address exactly as Express's `req.ip` computes it (the `trust proxy` setting applied). */
  clientAddress(request: IncomingMessage): string | undefined;
  /**
   * New connections per second one peer address may open before further ones are closed as they
   * are accepted; 0 turns the limit off. Keyed on the socket's peer, so it is only meaningful
   * without a proxy in front (`trust proxy` off).
   */
  connectionsPerSecond: number;
  /** Told about every request or connection the shield turned away. */
  onShed?(reason: ShedReason): void;
}

/**
 * Sheds known abusers at the Node HTTP server, before Express sees the request and before a byte
 * of its body is read:
 *  - 'connection': a peer opening connections faster than `connectionsPerSecond` has them closed
 *    at once (no HTTP parsing at all);
 *  - 'request': a request on a shielded path that declares a body over `maxBodyBytes` is answered
 *    413; one whose credential is blocked, or that comes from a client address blocked for failed
 *    authentications without a credential vouched for (`blockedCaller`), is answered 429 with
 *    `Retry-After`. Both with `Connection: close` and the standard error body, and the socket is
 *    destroyed without reading the request body.
 * Everyone else goes on to the server's own listeners (Express) untouched: the check is a map
 * look-up (plus one SHA-256 of the token when there is one), no I/O.
 * Must be installed on the server Nest created, before it starts listening.
 */
export function shieldHttpServer(server: Server, options: EdgeShieldOptions): void {
  const requestListeners = server.listeners('request') as ((...args: unknown[]) => void)[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!shed(request, response, options)) {
      for (const listener of requestListeners) listener.call(server, request, response);
    }
  });

  if (options.connectionsPerSecond > 0) {
    const rate = new ConnectionRate(options.connectionsPerSecond);
    const connectionListeners = server.listeners('connection') as ((...args: unknown[]) => void)[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      if (!rate.admit(socket.remoteAddress ?? 'unknown')) {
        socket.destroy();
        options.onShed?.('connections');
        return;
      }
      for (const listener of connectionListeners) listener.call(server, socket);
    });
  }
}

function shed(request: IncomingMessage, response: ServerResponse, options: EdgeShieldOptions): boolean {
  const url = request.url ?? '/';
  if (!options.paths.some((path) => isUnder(url, path))) return false;
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBodyBytes) {
    refuse(request, response, 413, 'PAYLOAD_TOO_LARGE', { message: options.tooLargeMessage });
    options.onShed?.('too-large');
    return true;
  }
  const blocked = blockedCaller(options.blocklist, request.headers.authorization, () =>
    options.clientAddress(request),
  );
  if (!blocked) return false;
  refuse(request, response, 429, 'RATE_LIMITED', blocked);
  options.onShed?.(blocked.reason);
  return true;
}

/** Answers with the standard error body (also a GraphQL response) and drops the connection unread. */
function refuse(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  code: string,
  refusal: { message: string; seconds?: number },
): void {
  const requestId = requestIdFor(request.headers['x-request-id']);
  const { message } = refusal;
  const body = JSON.stringify({
    statusCode: status,
    error: code,
    message,
    requestId,
    data: null,
    errors: [{ message, extensions: { code, requestId } }],
  });
  response.shouldKeepAlive = false;
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...(refusal.seconds ? { 'Retry-After': String(refusal.seconds) } : {}),
    'X-Request-Id': requestId,
    Connection: 'close',
  });
  // The body is never read: once the answer is handed to the kernel the socket goes, and whatever
  // the client still sends is dropped by the kernel (a reset), not copied into this process.
  response.end(body, () => request.socket.destroy());
}

function isUnder(url: string, path: string): boolean {
  if (!url.startsWith(path)) return false;
  const next = url.charAt(path.length);
  return next === '' || next === '?' || next === '/';
}

/** Fixed one-second windows of new connections per peer address; bounded in addresses. */
class ConnectionRate {
  private window = 0;
  private counts = new Map<string, number>();

  constructor(
    private readonly perSecond: number,
    private readonly maxAddresses = 100_000,
  ) {}

  admit(address: string, now = Date.now()): boolean {
    const window = Math.floor(now / 1000);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const count = (this.counts.get(address) ?? 0) + 1;
    if (this.counts.size < this.maxAddresses || this.counts.has(address)) this.counts.set(address, count);
    return count <= this.perSecond;
  }
}

/**
 * `req.ip` as Express computes it for `app` (its own getter and `trust proxy` setting), for a raw
 * Node request the shield sees before Express has touched it: the address the GraphQL edge keyed
 * its per-address budget on is the one the shield checks.
 */
export function expressClientAddress(app: {
  request: object;
}): (request: IncomingMessage) => string | undefined {
  return (request) =>
    (
      Object.create(app.request, {
        headers: { value: request.headers },
        socket: { value: request.socket },
        connection: { value: request.socket },
      }) as { ip?: string }
    ).ip;
}
