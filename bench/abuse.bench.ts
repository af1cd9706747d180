import { spawn } from 'node:child_process';
import type { Benchmark } from './support/benchmark';
import { percentile } from './support/stats';

const SAMPLES = 150;
const FLOOD_SECONDS = 20;
const FLOOD_CONCURRENCY = 8;

/**
 * The flooder: a SEPARATE Node process (its own CPU, like a second sender), loopback only, bounded
 * by time. A third of its requests carry no token (~990 KB documents of many operations, the
 * review's shape); the rest an attacker's valid token, with ~990 KB documents or ~60 KB ones that
 * pass the byte limit but not the token limit. It prints its status counts.
 */
const FLOODER = `
const [url, token, seconds, concurrency] = process.argv.slice(1);
const until = Date.now() + Number(seconds) * 1000;
const counts = {};
let sent = 0;
// Twelve different ~990 KB documents (over the byte limit) and twelve ~60 KB ones (under it, over
// the token and operation limits), built once so the flooder spends its CPU on sending.
function documentOf(n, bytes) {
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += 'query q' + n + '_' + i + ' { __typename }\\n';
  return JSON.stringify({ query: text });
}
const large = Array.from({ length: 12 }, (_, n) => documentOf(n, 990000));
const small = Array.from({ length: 12 }, (_, n) => documentOf(n, 60000));
async function worker(id) {
  while (Date.now() < until) {
    const n = sent++;
    const headers = { 'content-type': 'application/json' };
    if (n % 3) headers.authorization = 'Bearer ' + token;
    const body = n % 3 === 2 ? small[n % 12] : large[n % 12];
    try {
      const response = await fetch(url, { method: 'POST', headers, body });
      await response.arrayBuffer();
      counts[response.status] = (counts[response.status] ?? 0) + 1;
    } catch (error) {
      counts.error = (counts.error ?? 0) + 1;
    }
  }
}
Promise.all(Array.from({ length: Number(concurrency) }, (_, id) => worker(id))).then(() => {
  process.stdout.write(JSON.stringify({ sent, counts }));
});
`;

export const benchmark: Benchmark = {
  name: 'abuse',
  description: `/healthz and a legitimate GraphQL query while a second process floods /graphql with ~990 KB documents`,
  async run(ctx) {
    const controller = await ctx.startController({ env: { LATTICE_RATE_LIMIT_PER_MINUTE: '1000' } });
    const tenant = await ctx.createTenant('abuse');
    const legitimate = '{ clusters(first: 20) { nodes { id name } } }';
    const attacker = tenant.adminToken;
    const user = (
      (await controller.request('POST', `/v1/tokens`, {
        token: tenant.adminToken,
        body: { name: 'dashboard', role: 'viewer' },
      })) as { json: { token: string } }
    ).json.token;

    const time = async (action: () => Promise<unknown>): Promise<number> => {
      const started = performance.now();
      await action();
      return performance.now() - started;
    };
    const measure = async (): Promise<{ healthz: number[]; query: number[] }> => {
      const healthz: number[] = [];
      const query: number[] = [];
      for (let index = 0; index < SAMPLES; index++) {
        healthz.push(await time(async () => (await fetch(`${controller.baseUrl}/healthz`)).arrayBuffer()));
        query.push(await time(() => controller.graphql(user, legitimate)));
      }
      return { healthz, query };
    };

    await measure(); // warm-up
    const idle = await measure();
    ctx.log(`flooding /graphql from a second process for ${FLOOD_SECONDS} s`);
    const flooder = spawn(
      process.execPath,
      [
        '-e',
        FLOODER,
        `${controller.baseUrl}/graphql`,
        attacker,
        String(FLOOD_SECONDS),
        String(FLOOD_CONCURRENCY),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let flooderOutput = '';
    flooder.stdout.on('data', (chunk: Buffer) => (flooderOutput += chunk.toString()));
    const flooderDone = new Promise<void>((resolve) => flooder.once('exit', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const underFlood = await measure();
    await flooderDone;
    const flood = JSON.parse(flooderOutput || '{}') as { sent?: number; counts?: Record<string, number> };

    const idleQueryP99 = percentile(idle.query, 0.99);
    ctx.record({
      metric: '/healthz p99 under flood',
      value: percentile(underFlood.healthz, 0.99),
      unit: 'ms',
      target: { op: '<', value: 50 },
      details: { idleP99: percentile(idle.healthz, 0.99), samples: SAMPLES, flood },
    });
    ctx.record({
      metric: 'legitimate GraphQL query p99 under flood',
      value: percentile(underFlood.query, 0.99),
      unit: 'ms',
      target: { op: '<', value: 2 * idleQueryP99 },
      details: { idleP99: idleQueryP99, samples: SAMPLES },
    });
    ctx.record({
      metric: 'flood requests answered',
      value: flood.sent ?? 0,
      unit: 'requests',
      details: flood,
    });
  },
};
