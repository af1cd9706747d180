import type { BenchController, StartControllerOptions } from './controller';

/** One measured number; the runner prints it as a JSON line and a markdown row. */
export interface BenchResult {
  metric: string;
  value: number;
  /** ms, rows/s, MiB, agents, ... */
  unit: string;
  /** Pass when `value op target` holds. */
  target?: { op: '<' | '<=' | '>' | '>='; value: number };
  details?: Record<string, unknown>;
}

export interface BenchTenant {
  id: string;
  name: string;
  adminToken: string;
}

export interface BenchContext {
  /** Extra `--key=value` flags given to `npm run bench` after the names. */
  args: Record<string, string>;
  /** Starts a controller process against this benchmark's database and Redis prefix. */
  startController(options?: StartControllerOptions): Promise<BenchController>;
  /** Creates a tenant on a started controller (the first one by default). */
  createTenant(name: string, controller?: BenchController): Promise<BenchTenant>;
  /** Runs SQL against this benchmark's database. */
  sql<T extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<T[]>;
  /** The benchmark's database URL (for the controller processes it starts). */
  databaseUrl: string;
  redisPrefix: string;
  /** Runs `cleanup` when the benchmark ends, even if it throws (after the controllers are stopped). */
  onCleanup(cleanup: () => Promise<void> | void): void;
  record(result: BenchResult): void;
  /** Progress on stderr; stdout carries only results. */
  log(message: string): void;
}

export interface Benchmark {
  /** Equals the file name without `.bench.ts`. */
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<void>;
}
