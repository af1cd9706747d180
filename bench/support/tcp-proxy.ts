import net from 'node:net';

/**
 * A loopback TCP proxy a benchmark controls: the agents' load balancer (each new connection goes
 * to the first target that accepts it, so killing one controller replica moves reconnecting agents
 * to the next) and their network (cut() drops every connection and refuses new ones until heal()).
 * TLS passes through untouched.
 */
export class TcpProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private isCut = false;
  port = 0;

  /** `targets`: host:port addresses, asked again for every connection (they may change). */
  constructor(private readonly targets: () => string[]) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get connections(): number {
    return this.sockets.size / 2;
  }

  async listen(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Drops every open connection and refuses new ones (a network partition, seen as resets). */
  cut(): void {
    this.isCut = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  heal(): void {
    this.isCut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.isCut) {
      client.destroy();
      return;
    }
    client.pause();
    this.track(client);
    void this.connectUpstream(this.targets()).then((upstream) => {
      if (!upstream || this.isCut || client.destroyed) {
        upstream?.destroy();
        client.destroy();
        return;
      }
      this.track(upstream);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  private async connectUpstream(targets: string[]): Promise<net.Socket | undefined> {
    for (const target of targets) {
      const [host, port] = splitAddress(target);
      const socket = await new Promise<net.Socket | undefined>((resolve) => {
        const upstream = net.connect(port, host);
        upstream.once('connect', () => resolve(upstream));
        upstream.once('error', () => resolve(undefined));
      });
      if (socket) return socket;
    }
    return undefined;
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }
}

function splitAddress(address: string): [string, number] {
  const index = address.lastIndexOf(':');
  return [address.slice(0, index), Number(address.slice(index + 1))];
}
