/**
 * Benchmark runner: `npm run bench` runs every bench/<name>.bench.ts, `npm run bench -- <name>...`
 * only those, `--list` lists them; `--key=value` flags are passed to the benchmarks (ctx.args);
 * `--cpu-prof` makes every controller (and fleet worker process) write a CPU profile to
 * .data/profiles (read it with `node dist/bench/support/cpu-profile.js <file>`).
 * How to write one: bench/README.md. Results: one JSON line per metric on stdout, then a markdown
 * table; progress on stderr. Exit code 1 if a benchmark failed to run (a missed target is reported,
 * not an error).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Benchmark, BenchContext, BenchResult, BenchTenant } from './support/benchmark';
import { BenchController } from './support/controller';
import { createBenchDatabase, deleteRedisPrefix } from './support/environment';

interface ReportedResult extends BenchResult {
  benchmark: string;
  passed: boolean | null;
}

const BENCH_SUFFIX = '.bench.js';

/** Cleans up the running benchmark (controllers, database, Redis keys); used on Ctrl-C too. */
let cleanupCurrent: (() => Promise<void>) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void (cleanupCurrent?.() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

function discover(): Map<string, string> {
  const files = fs.readdirSync(__dirname).filter((file) => file.endsWith(BENCH_SUFFIX));
  return new Map(
    files.sort().map((file) => [file.slice(0, -BENCH_SUFFIX.length), path.join(__dirname, file)]),
  );
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function passes(result: BenchResult): boolean | null {
  if (!result.target || !Number.isFinite(result.value)) return result.target ? false : null;
  const { op, value } = result.target;
  switch (op) {
    case '<':
      return result.value < value;
    case '<=':
      return result.value <= value;
    case '>':
      return result.value > value;
    case '>=':
      return result.value >= value;
  }
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100
    ? Math.round(value).toLocaleString('en-US')
    : String(Math.round(value * 100) / 100);
}

export function markdownRow(result: ReportedResult): string {
  const target = result.target
    ? `${result.target.op} ${formatNumber(result.target.value)} ${result.unit}`
    : '';
  const verdict = result.passed === null ? '' : result.passed ? 'pass' : '**miss**';
  return `| ${result.benchmark} | ${result.metric} | ${formatNumber(result.value)} ${result.unit} | ${target} | ${verdict} |`;
}

async function runOne(
  name: string,
  file: string,
  args: Record<string, string>,
  results: ReportedResult[],
): Promise<boolean> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(file) as { benchmark?: Benchmark };
  const benchmark = loaded.benchmark;
  if (!benchmark || benchmark.name !== name) {
    log(`${file} does not export a benchmark named "${name}"`);
    return false;
  }
  log(`${name}: ${benchmark.description}`);
  const database = await createBenchDatabase();
  const redisPrefix = `lattice-bench-${randomBytes(4).toString('hex')}`;
  const controllers: BenchController[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  const ctx: BenchContext = {
    args,
    databaseUrl: database.url,
    redisPrefix,
    async startController(options = {}) {
      // --cpu-prof: every controller process writes a V8 CPU profile into .data/profiles on exit.
      const nodeFlags = [
        ...(args['cpu-prof']
          ? ['--cpu-prof', `--cpu-prof-dir=${path.join(process.cwd(), '.data/profiles')}`]
          : []),
        // --controller-node-flags="--a --b": extra Node flags for every controller (experiments).
        ...(args['controller-node-flags']?.split(' ').filter(Boolean) ?? []),
      ];
      const controller = new BenchController(database.url, redisPrefix, {
        ...options,
        nodeFlags: [...nodeFlags, ...(options.nodeFlags ?? [])],
      });
      controllers.push(controller);
      await controller.start();
      return controller;
    },
    async createTenant(tenantName, controller = controllers[0]): Promise<BenchTenant> {
      if (!controller) throw new Error('start a controller first');
      const response = await controller.request('POST', '/v1/tenants', {
        token: controller.operatorToken,
        body: { name: tenantName },
      });
      if (response.status !== 201) throw new Error(`creating tenant: ${response.status} ${response.text}`);
      const body = response.json as { tenant: { id: string; name: string }; adminToken: { token: string } };
      return { id: body.tenant.id, name: body.tenant.name, adminToken: body.adminToken.token };
    },
    sql: (text, params) => database.query(text, params),
    onCleanup: (cleanup) => cleanups.push(cleanup),
    record(result) {
      const reported: ReportedResult = { benchmark: name, ...result, passed: passes(result) };
      results.push(reported);
      process.stdout.write(`${JSON.stringify(reported)}\n`);
    },
    log: (message) => log(`${name}: ${message}`),
  };
  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaned ??= (async () => {
      for (const step of cleanups.reverse()) await Promise.resolve(step()).catch(() => undefined);
      for (const controller of controllers) {
        await controller.stop().catch(() => undefined);
        controller.removeDataDir();
      }
      await database.drop().catch((error: Error) => log(`could not drop ${database.name}: ${error.message}`));
      await deleteRedisPrefix(redisPrefix).catch((error: Error) =>
        log(`could not clean Redis: ${error.message}`),
      );
    })());
  cleanupCurrent = cleanup;
  const started = Date.now();
  let ok = true;
  try {
    await benchmark.run(ctx);
  } catch (error) {
    ok = false;
    log(`${name} FAILED: ${(error as Error).stack ?? String(error)}`);
    for (const controller of controllers) log(`controller log tail:\n${controller.logs.slice(-3000)}`);
  } finally {
    await cleanup();
    cleanupCurrent = undefined;
  }
  log(`${name}: done in ${Math.round((Date.now() - started) / 1000)} s`);
  return ok;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const available = discover();
  if (argv.includes('--list')) {
    for (const name of available.keys()) process.stdout.write(`${name}\n`);
    return;
  }
  const args: Record<string, string> = {};
  const names: string[] = [];
  for (const argument of argv) {
    const flag = /^--([a-z0-9-]+)(?:=(.*))?$/i.exec(argument);
    if (flag) args[flag[1] as string] = flag[2] ?? 'true';
    else names.push(argument);
  }
  const unknown = names.filter((name) => !available.has(name));
  if (unknown.length > 0) {
    process.stderr.write(
      `lattice-bench: unknown benchmark(s) ${unknown.join(', ')}; available: ${[...available.keys()].join(', ')}\n`,
    );
    process.exit(2);
  }
  const selected = names.length > 0 ? names : [...available.keys()];
  log(
    `machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
  const results: ReportedResult[] = [];
  let failed = 0;
  for (const name of selected) {
    if (!(await runOne(name, available.get(name) as string, args, results))) failed += 1;
  }
  process.stdout.write(
    `\n| Benchmark | Metric | Result | Target | |\n| --- | --- | --- | --- | --- |\n${results.map(markdownRow).join('\n')}\n`,
  );
  process.exit(failed > 0 ? 1 : 0);
}

void main();
