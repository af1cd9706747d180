// A scripted controller for agent specs: streams record what the agent sends; the test delivers messages.
import type { AgentMessage, ControllerMessage__Output } from '@lattice/proto';
import type { AgentCredentials } from '../state/agent-state.store';
import {
  ControllerCallError,
  type ControllerStream,
  type ControllerTransport,
  type RegisterResult,
  type RenewResult,
  type StreamHandlers,
} from '../transport/controller-transport.port';

export class ScriptedStream implements ControllerStream {
  readonly sent: AgentMessage[] = [];
  closed = false;

  constructor(
    readonly credentials: AgentCredentials,
    private readonly handlers: StreamHandlers,
  ) {}

  send(message: AgentMessage): void {
    if (!this.closed) this.sent.push(message);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClosed();
  }

  deliver(message: ControllerMessage__Output): void {
    this.handlers.onMessage(message);
  }

  /** The stream breaks (the agent sees an error and reconnects). */
  fail(message: string): void {
    this.closed = true;
    this.handlers.onClosed(new Error(message));
  }

  /** The stream ends with this error (e.g. a ControllerCallError carrying a status). */
  failWith(error: Error): void {
    this.closed = true;
    this.handlers.onClosed(error);
  }

  /** The kind of each message sent, in order (`hello`, `inventory`, `ack`, …). */
  bodies(): string[] {
    return this.sent.map((message) => Object.keys(message)[0] as string);
  }
}

/** Streams only: an agent given existing credentials never registers or renews in these specs. */
export class ScriptedControllerTransport implements ControllerTransport {
  readonly streams: ScriptedStream[] = [];

  async register(): Promise<RegisterResult> {
    throw new ControllerCallError('registration is not scripted', false);
  }

  async renewCertificate(): Promise<RenewResult> {
    throw new ControllerCallError('renewal is not scripted', true);
  }

  openStream(credentials: AgentCredentials, handlers: StreamHandlers): ControllerStream {
    const stream = new ScriptedStream(credentials, handlers);
    this.streams.push(stream);
    return stream;
  }

  close(): void {}

  get latest(): ScriptedStream {
    const stream = this.streams.at(-1);
    if (!stream) throw new Error('no stream opened');
    return stream;
  }
}
