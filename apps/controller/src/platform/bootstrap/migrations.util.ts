import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';

/**
 * Applies prisma/migrations with `prisma migrate deploy` on Prisma's WebAssembly engines (no native
 * engine download; see prisma.config.ts). Idempotent: applied migrations are skipped.
 */
const SUCCESS = /All migrations have been successfully applied|No pending migrations to apply/;

export function runMigrations(databaseUrl: string): Promise<void> {
  const root = projectRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(root, 'node_modules/prisma/build/index.js'), 'migrate', 'deploy'],
      {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          // Any existing file stops the CLI from downloading native engines it will not use.
          PRISMA_SCHEMA_ENGINE_BINARY: path.join(root, 'package.json'),
          PRISMA_QUERY_ENGINE_LIBRARY: path.join(root, 'package.json'),
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    let succeeded = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // The WebAssembly schema engine leaves a 10 s timer behind after it is done; once the CLI has
      // reported success there is nothing left to wait for.
      if (!succeeded && SUCCESS.test(output)) {
        succeeded = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      succeeded || code === 0
        ? resolve()
        : reject(new Error(`database migration failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}
