import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';

// Small helpers for what start-up keeps on the local machine: files in the data folder, free ports.

export function readOrCreate(file: string, create: () => string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const value = create();
  fs.writeFileSync(file, value, { mode: 0o600 });
  return value;
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * The port recorded in `file`, or a free one recorded there now: a stable port keeps the URLs in
 * logs and the local data folder valid across restarts.
 */
export async function stablePort(file: string): Promise<number> {
  const recorded = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').trim()) : 0;
  if (Number.isInteger(recorded) && recorded > 0 && recorded < 65536) return recorded;
  const port = await freePort();
  fs.writeFileSync(file, String(port), { mode: 0o600 });
  return port;
}
