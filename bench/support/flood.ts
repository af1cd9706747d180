import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';

/**
 * The attacker of the abuse benchmark: a separate Node process (its own event loop, scheduled by
 * the kernel like any other client) that sends from its own loopback source address, so the
 * controller's per-address limits see it as a different client from the legitimate one (Linux
 * routes all of 127.0.0.0/8 to `lo`).
 *
 * Two shapes:
 *  - `closed`: `concurrency` senders, each sending its next request as soon as the previous one is
 *    answered, for `seconds` — as much as the machine lets it. A third of the requests carry no
 *    token (~990 KB documents of many operations), a third the attacker's valid token with the
 *    same documents, a third the valid token with ~60 KB documents (under the byte limit, over the
 *    token and operation limits).
 *  - `open`: a fixed schedule whatever the answers (the review): every second 12 different
 *    ~990 KB documents from two senders (6 without a token, 6 with the attacker's token) plus
 *    `anonymousPerSecond` small unauthenticated queries; requests are started on time even when
 *    earlier ones are still in flight (up to 512 in flight; any it had to skip are counted).
 * It prints `{ sent, skipped, counts, cpuMs }` (statuses, `error` for resets) as one JSON line.
 */
const FLOODER = String.raw`
const http = require('node:http');
const [url, token, shape, seconds, concurrency, anonymousPerSecond, localAddress] = process.argv.slice(1);
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const counts = {};
let sent = 0;
let skipped = 0;
let inFlight = 0;
function documentOf(n, bytes) {
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += 'query q' + n + '_' + i + ' { __typename }\n';
  return Buffer.from(JSON.stringify({ query: text }));
}
const large = Array.from({ length: 12 }, (_, n) => documentOf(n, 990000));
const small = Array.from({ length: 12 }, (_, n) => documentOf(n, 60000));
const anonymousQuery = Buffer.from(JSON.stringify({ query: '{ clusters(first: 20) { nodes { id name } } }' }));
function send(body, withToken) {
  sent++;
  inFlight++;
  const headers = { 'content-type': 'application/json', 'content-length': body.length };
  if (withToken) headers.authorization = 'Bearer ' + token;
  return new Promise((resolve) => {
    const done = (key) => {
      counts[key] = (counts[key] || 0) + 1;
      inFlight--;
      resolve();
    };
    const request = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent, localAddress },
      (response) => {
        response.resume();
        response.on('end', () => done(response.statusCode));
        response.on('error', () => done('error'));
      },
    );
    request.on('error', () => done('error'));
    request.end(body);
  });
}
const until = Date.now() + Number(seconds) * 1000;
async function closedWorker() {
  while (Date.now() < until) {
    const n = sent;
    await send(n % 3 === 2 ? small[n % 12] : large[n % 12], n % 3 !== 0);
  }
}
function schedule(perSecond, sendOne) {
  // Starts sendOne() every 1/perSecond s until the end, whatever earlier requests are doing.
  const started = Date.now();
  const pending = [];
  return (async () => {
    for (let i = 0; ; i++) {
      const at = started + (i * 1000) / perSecond;
      if (at >= until) break;
      const wait = at - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (inFlight >= 512) { skipped++; continue; }
      pending.push(sendOne(i));
    }
    await Promise.all(pending);
  })();
}
function open() {
  // 12 large documents a second, alternating the two senders (no token / the attacker's token),
  // and anonymousPerSecond small anonymous queries, each on its own even schedule.
  return Promise.all([
    schedule(12, (i) => send(large[i % 12], i % 2 === 1)),
    Number(anonymousPerSecond) > 0 ? schedule(Number(anonymousPerSecond), () => send(anonymousQuery, false)) : undefined,
  ]);
}
const run = shape === 'open' ? open() : Promise.all(Array.from({ length: Number(concurrency) }, closedWorker));
run.then(() => {
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ sent, skipped, counts, cpuMs: Math.round((cpu.user + cpu.system) / 1000) }));
  process.exit(0);
});
`;

export interface FloodOptions {
  url: string;
  token: string;
  shape: 'closed' | 'open';
  seconds: number;
  concurrency: number;
  anonymousPerSecond: number;
  localAddress: string;
}

export interface FloodResult {
  sent: number;
  skipped: number;
  counts: Record<string, number>;
  cpuMs: number;
}

export interface Flood {
  done: Promise<FloodResult>;
  process: ChildProcess;
}

export function startFlood(options: FloodOptions): Flood {
  const child = spawn(
    process.execPath,
    [
      '-e',
      FLOODER,
      options.url,
      options.token,
      options.shape,
      String(options.seconds),
      String(options.concurrency),
      String(options.anonymousPerSecond),
      options.localAddress,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<FloodResult>((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 && output
        ? resolve(JSON.parse(output) as FloodResult)
        : reject(new Error(`flooder exited with ${code}: ${output.slice(0, 200)}`)),
    ),
  );
  return { done, process: child };
}

/**
 * The floor: a minimal Node HTTP server in its own process that refuses every /graphql request
 * with 429 + `Connection: close` and destroys the socket without reading the body (the cheapest a
 * Node server can shed), and serves `/healthz` (a constant) and `/deps` (two PostgreSQL `SELECT 1`
 * and one Redis `PING`, the I/O shape of the legitimate GraphQL query: token lookup, budget,
 * data). Flooding it like the controller shows how much of a p99 increase the machine causes.
 */
const FLOOR = String.raw`
const http = require('node:http');
const { Client } = require('pg');
const ioredis = require('ioredis');
const Redis = ioredis.Redis ?? ioredis.default ?? ioredis;
const [databaseUrl, redisUrl] = process.argv.slice(1);
(async () => {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  const redis = new Redis(redisUrl);
  const server = http.createServer(async (req, res) => {
    if (req.url.startsWith('/graphql')) {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '60', connection: 'close' });
      res.end('{"statusCode":429}', () => req.socket.destroy());
      return;
    }
    if (req.url === '/deps') {
      await pg.query('SELECT 1');
      await redis.ping();
      await pg.query('SELECT 1');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\n'));
  process.on('SIGTERM', () => process.exit(0));
})().catch((error) => { console.error(error); process.exit(1); });
`;

export interface FloorServer {
  baseUrl: string;
  pid: number;
  stop(): void;
}

export async function startFloorServer(
  databaseUrl: string,
  redisUrl: string,
  cwd: string,
): Promise<FloorServer> {
  const child = spawn(process.execPath, ['-e', FLOOR, databaseUrl, redisUrl], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd,
  });
  const port = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(output.trim());
    });
    child.once('exit', (code) => reject(new Error(`floor server exited with ${code}`)));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () => child.kill('SIGTERM'),
  };
}

/** `uptime`'s three load averages, rounded. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}
