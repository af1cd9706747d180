/**
 * The floor a change's bytes are compared with: a minimal program (this file, forked with
 * `--writer`) that writes the same number of bytes, in messages of the same size, to the same
 * number of loopback TCP connections, and reports the CPU time and wall time it took. The reader
 * (the benchmark's process) only drains the sockets. Plain TCP, no TLS and no HTTP/2 framing: what
 * the machine allows for moving those bytes, not what a real protocol can reach.
 */
import { fork } from 'node:child_process';
import net from 'node:net';

export interface FloorResult {
  bytes: number;
  connections: number;
  cpuSeconds: number;
  wallMs: number;
}

interface WriterArgs {
  port: number;
  connections: number;
  messages: number[];
}

/** Runs the writer in a child process against a sink in this one. `messageSizes`: one entry per message, round-robin over the connections. */
export async function measureLoopbackFloor(
  connections: number,
  messageSizes: number[],
): Promise<FloorResult> {
  const total = messageSizes.reduce((sum, size) => sum + size, 0);
  let received = 0;
  let allReceived: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  const server = net.createServer((socket) => {
    socket.on('data', (chunk) => {
      received += chunk.length;
      if (received >= total) allReceived();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const child = fork(__filename, ['--writer'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const result = await new Promise<FloorResult>((resolve, reject) => {
      child.once('message', (message: FloorResult | { error: string }) => {
        if ('error' in message) reject(new Error(`loopback floor writer: ${message.error}`));
        else resolve(message);
      });
      child.once('exit', (code) => reject(new Error(`loopback floor writer exited with ${code}`)));
      child.send({ port, connections, messages: messageSizes } satisfies WriterArgs);
    });
    await done;
    child.kill();
    return result;
  } finally {
    server.close();
  }
}

async function runWriter(args: WriterArgs): Promise<FloorResult> {
  const sockets = await Promise.all(
    Array.from(
      { length: args.connections },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect(args.port, '127.0.0.1', () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
  // The payloads exist before the clock starts, as a controller's snapshots do.
  const payloads = args.messages.map((size) => Buffer.alloc(size, 0x61));
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await Promise.all(
    payloads.map(
      (payload, i) =>
        new Promise<void>((resolve, reject) =>
          (sockets[i % sockets.length] as net.Socket).write(payload, (error) =>
            error ? reject(error) : resolve(),
          ),
        ),
    ),
  );
  const wallMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  for (const socket of sockets) socket.end();
  return {
    bytes: payloads.reduce((sum, payload) => sum + payload.length, 0),
    connections: sockets.length,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    wallMs,
  };
}

if (process.argv.includes('--writer')) {
  process.once('message', (args: WriterArgs) => {
    runWriter(args).then(
      (result) => process.send?.(result, () => process.exit(0)),
      (error: Error) => process.send?.({ error: error.message }, () => process.exit(1)),
    );
  });
}
