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

/**
 * A port free to listen on, chosen below the kernel's ephemeral range: a port from inside it (what
 * `listen(0)` hands out) can be taken by any outgoing connection before the listener binds it.
 */
export async function freePort(): Promise<number> {
  const below = ephemeralRangeStart();
  for (let attempt = 0; below !== null && attempt < 50; attempt++) {
    const port = below - 1 - Math.floor(Math.random() * Math.min(12_000, below - 1_024));
    if (await canListen(port)) return port;
  }
  return listenOn(0);
}

function ephemeralRangeStart(): number | null {
  try {
    const start = Number(
      fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    return Number.isInteger(start) && start > 2_048 ? start : null;
  } catch {
    return null;
  }
}

function canListen(port: number): Promise<boolean> {
  return listenOn(port).then(
    () => true,
    () => false,
  );
}

/** Binds `port` on loopback (0: any), closes it again and returns the port that was bound. */
function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
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
