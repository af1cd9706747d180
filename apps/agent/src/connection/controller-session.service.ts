import type { AgentMessage, ControllerMessage__Output } from '@lattice/proto';
import { AgentFatalError } from '../agent.errors';
import { type AgentLogger, errorMessage } from '../logger';
import type { AgentCredentials } from '../state/agent-state.store';
import {
  ControllerCallError,
  type ControllerStream,
  type ControllerTransport,
} from '../transport/controller-transport.port';
import type { ReconnectBackoff } from './reconnect-backoff.util';

export type AgentConnectionState =
  'idle' | 'registering' | 'connecting' | 'connected' | 'backing-off' | 'stopped';

/** Where the session gets the credentials it connects with. */
export interface SessionCredentials {
  /** Undefined until the agent is registered. */
  readonly current: AgentCredentials | undefined;
  /** Registers with the bootstrap token; `onRegistering` runs once registration is possible and starts. */
  register(onRegistering: () => void): Promise<AgentCredentials>;
}

export interface ControllerSessionDependencies {
  transport: ControllerTransport;
  credentials: SessionCredentials;
  logger: AgentLogger;
  now: () => number;
  backoff: ReconnectBackoff;
  heartbeatIntervalMs: number;
  /** The Hello that opens every stream. */
  hello: (credentials: AgentCredentials) => NonNullable<AgentMessage['hello']>;
  /** A stream is open and has said hello: send what the controller needs from a new stream. */
  onStreamOpened: () => void;
  onMessage: (message: ControllerMessage__Output) => void;
}

/**
 * The agent's side of the conversation with the controller: one bidirectional stream at a time,
 * opened with Hello, kept alive with heartbeats, given up when the controller is silent for three
 * heartbeat intervals, and reopened after a backoff (registering first when there are no credentials).
 */
export class ControllerSession {
  private stream: ControllerStream | undefined;
  private currentState: AgentConnectionState = 'idle';
  private stopping = false;
  private sleepTimer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly deps: ControllerSessionDependencies) {}

  get state(): AgentConnectionState {
    return this.currentState;
  }

  /** True while a stream is open: messages sent now reach the controller (unless it breaks). */
  get isOpen(): boolean {
    return this.stream !== undefined;
  }

  /** Sends on the open stream; without one the message is dropped. */
  send(message: AgentMessage): void {
    this.stream?.send(message);
  }

  /**
   * Connects, and reconnects after every stream that ended, until close(). Rejects with an
   * AgentFatalError when retrying cannot help (e.g. the bootstrap token was refused).
   */
  async run(): Promise<void> {
    const { backoff, logger } = this.deps;
    while (!this.stopping) {
      try {
        const credentials = this.deps.credentials.current ?? (await this.register());
        if (this.stopping) break;
        const livedMs = await this.runStream(credentials);
        backoff.connectionEnded(livedMs);
      } catch (error) {
        if (error instanceof AgentFatalError) throw error;
        logger.warn({ err: errorMessage(error) }, 'controller call failed');
      }
      if (this.stopping) break;
      const delayMs = backoff.nextDelayMs();
      this.currentState = 'backing-off';
      logger.info({ delayMs, attempt: backoff.failedAttempts }, 'reconnecting to the controller');
      await this.sleep(delayMs);
    }
  }

  /** Ends the current stream and the reconnect loop; run() resolves soon after. */
  close(): void {
    this.stopping = true;
    clearTimeout(this.sleepTimer);
    this.wakeUp?.();
    this.stream?.close();
  }

  /** The agent is done (stopped or failed): no more connecting. */
  markStopped(): void {
    this.stopping = true;
    this.currentState = 'stopped';
  }

  private register(): Promise<AgentCredentials> {
    return this.deps.credentials.register(() => (this.currentState = 'registering'));
  }

  /** Runs one stream until it ends; resolves with how long it lived, rejects when the agent was revoked. */
  private runStream(credentials: AgentCredentials): Promise<number> {
    const { logger, now } = this.deps;
    const interval = this.deps.heartbeatIntervalMs;
    return new Promise<number>((resolve, reject) => {
      const openedAt = now();
      let lastHeardAt = openedAt;
      const timers: { heartbeat?: NodeJS.Timeout } = {};
      let closed = false;
      this.currentState = 'connecting';

      // `let`: a transport may call onClosed before openStream returns.
      let stream: ControllerStream | undefined = undefined;
      stream = this.deps.transport.openStream(credentials, {
        onMessage: (message) => {
          lastHeardAt = now();
          if (this.currentState !== 'connected') {
            this.currentState = 'connected';
            logger.info({ clusterId: credentials.identity.clusterId }, 'connected to the controller');
          }
          this.deps.onMessage(message);
        },
        onClosed: (error) => {
          closed = true;
          clearInterval(timers.heartbeat);
          if (this.stream === stream) this.stream = undefined;
          const livedMs = now() - openedAt;
          if (error instanceof ControllerCallError && error.revocation) {
            reject(revokedError(error, credentials));
            return;
          }
          if (error) logger.warn({ err: error.message, livedMs }, 'stream to the controller closed');
          resolve(livedMs);
        },
      });
      // A transport may report failure while opening; then there is nothing to run.
      if (closed) return;
      const opened = stream;
      this.stream = opened;

      this.send({ hello: this.deps.hello(credentials) });
      this.deps.onStreamOpened();

      timers.heartbeat = setInterval(() => {
        const silentMs = now() - lastHeardAt;
        if (silentMs >= 3 * interval) {
          logger.warn({ silentMs }, 'nothing from the controller for 3 heartbeat intervals; reconnecting');
          opened.close();
          return;
        }
        this.send({ heartbeat: { sentAtUnixMs: now() } });
      }, interval);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }
}

/**
 * The controller revoked this agent (its cluster was revoked, or a new bootstrap replaced it):
 * reconnecting cannot help, so the agent stops with what to do next.
 */
export function revokedError(error: ControllerCallError, credentials: AgentCredentials): AgentFatalError {
  const clusterId = credentials.identity.clusterId;
  const next =
    error.revocation === 'cluster-revoked'
      ? `an admin can re-enrol cluster ${clusterId} (POST /v1/clusters/${clusterId}/reenrol)`
      : `a new bootstrap token of cluster ${clusterId} was redeemed by another agent`;
  return new AgentFatalError(
    `the controller revoked this agent (${error.revocation}): ${error.message}; ${next}; ` +
      'to run this agent again, delete its credentials from the state directory and start it with a new bootstrap token',
  );
}
