import type { AgentCredentials, ControllerStream, ControllerTransport, StreamHandlers } from '@lattice/agent';
import type { AgentMessage } from '@lattice/proto';

export interface TransportCounters {
  streamsOpened: number;
  snapshotsReceived: number;
  acksSent: number;
  nacksSent: number;
  telemetryBatchesSent: number;
  telemetryItemsSent: number;
  /** Date.now() of the last ACK sent, by version. */
  lastAck: { version: number; atMs: number } | undefined;
}

/**
 * Wraps the agent's real transport and counts what crosses it (snapshots pushed, ACKs, telemetry),
 * so benchmarks can see how many pushes each agent got and when it acknowledged a version.
 */
export class InstrumentedTransport implements ControllerTransport {
  readonly counters: TransportCounters = {
    streamsOpened: 0,
    snapshotsReceived: 0,
    acksSent: 0,
    nacksSent: 0,
    telemetryBatchesSent: 0,
    telemetryItemsSent: 0,
    lastAck: undefined,
  };
  private readonly ackListeners = new Set<(version: number, atMs: number) => void>();
  private readonly snapshotListeners = new Set<(version: number, atMs: number) => void>();
  private readonly telemetryListeners = new Set<
    (items: NonNullable<AgentMessage['telemetry']>, atMs: number) => void
  >();

  constructor(
    private readonly inner: ControllerTransport,
    private readonly now: () => number = Date.now,
  ) {}

  register: ControllerTransport['register'] = (request) => this.inner.register(request);

  renewCertificate(credentials: AgentCredentials, csrPem: string) {
    return this.inner.renewCertificate(credentials, csrPem);
  }

  openStream(credentials: AgentCredentials, handlers: StreamHandlers): ControllerStream {
    this.counters.streamsOpened += 1;
    const stream = this.inner.openStream(credentials, {
      onMessage: (message) => {
        // A DeltaSnapshot is a snapshot too (agents speak delta with a controller that does).
        if (message.body === 'snapshot' || message.body === 'deltaSnapshot') {
          this.counters.snapshotsReceived += 1;
          const atMs = this.now();
          const version = Number((message.snapshot ?? message.deltaSnapshot)?.version ?? 0);
          for (const listener of this.snapshotListeners) listener(version, atMs);
        }
        handlers.onMessage(message);
      },
      onClosed: (error) => handlers.onClosed(error),
    });
    return {
      send: (message: AgentMessage) => {
        stream.send(message);
        const atMs = this.now();
        if (message.ack) {
          this.counters.acksSent += 1;
          const version = Number(message.ack.version ?? 0);
          this.counters.lastAck = { version, atMs };
          for (const listener of this.ackListeners) listener(version, atMs);
        } else if (message.nack) {
          this.counters.nacksSent += 1;
        } else if (message.telemetry) {
          this.counters.telemetryBatchesSent += 1;
          this.counters.telemetryItemsSent += message.telemetry.items?.length ?? 0;
          for (const listener of this.telemetryListeners) listener(message.telemetry, atMs);
        }
      },
      close: () => stream.close(),
    };
  }

  close(): void {
    this.inner.close();
  }

  onAck(listener: (version: number, atMs: number) => void): () => void {
    this.ackListeners.add(listener);
    return () => this.ackListeners.delete(listener);
  }

  /** Called as a snapshot arrives, before the agent handles it. */
  onSnapshotReceived(listener: (version: number, atMs: number) => void): () => void {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }

  onTelemetrySent(
    listener: (batch: NonNullable<AgentMessage['telemetry']>, atMs: number) => void,
  ): () => void {
    this.telemetryListeners.add(listener);
    return () => this.telemetryListeners.delete(listener);
  }
}
