import { AgentFatalError } from '../agent.errors';
import type { SessionCredentials } from '../connection/controller-session.service';
import { type AgentLogger, errorMessage } from '../logger';
import type { AgentCredentials, AgentStateStorage } from '../state/agent-state.store';
import { ControllerCallError, type ControllerTransport } from '../transport/controller-transport.port';
import { certificateValidity, type KeyAndCsr, keyMatchesCertificate, renewalTimeMs } from './agent-keys.util';

export interface AgentEnrollmentSettings {
  /** host:port of the controller; recorded in identity.json. */
  controllerAddress: string;
  /** Needed only to register (no credentials in the state directory yet). */
  clusterName?: string;
  bootstrapToken?: string;
  agentVersion: string;
  /** Wait before retrying a failed certificate renewal; default 60 s. */
  renewalRetryMs?: number;
}

export interface AgentEnrollmentDependencies {
  settings: AgentEnrollmentSettings;
  transport: ControllerTransport;
  stateStore: AgentStateStorage;
  logger: AgentLogger;
  now: () => number;
  createKeyAndCsr: (commonName: string, modulusLength: 2048 | 3072) => Promise<KeyAndCsr>;
}

/** setTimeout cannot wait longer than this (~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The agent's own identity: its client key and certificate. Registers once with the bootstrap
 * token, keeps the credentials in the state directory and renews the certificate, with a fresh
 * key, once two thirds of its lifetime have passed.
 */
export class AgentEnrollment implements SessionCredentials {
  private credentials: AgentCredentials | undefined;
  private renewalTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: AgentEnrollmentDependencies) {}

  get current(): AgentCredentials | undefined {
    return this.credentials;
  }

  get clusterId(): string | undefined {
    return this.credentials?.identity.clusterId;
  }

  get certificateNotAfterMs(): number | undefined {
    return this.credentials ? certificateValidity(this.credentials.certPem).notAfterMs : undefined;
  }

  /** Reads the credentials from the state directory, if the agent registered before. */
  async load(): Promise<void> {
    this.credentials = await this.deps.stateStore.readCredentials();
    if (this.credentials && this.deps.settings.bootstrapToken) {
      this.deps.logger.info(
        { clusterId: this.credentials.identity.clusterId },
        'credentials present; the bootstrap token is ignored',
      );
    }
  }

  /** Schedules the renewal of loaded credentials (registration schedules its own). */
  startRenewal(): void {
    if (this.credentials) this.scheduleRenewal();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.renewalTimer);
  }

  async register(onRegistering: () => void = () => undefined): Promise<AgentCredentials> {
    const { settings, transport, stateStore, logger } = this.deps;
    if (!settings.bootstrapToken || !settings.clusterName) {
      throw new AgentFatalError(
        `no credentials in ${stateStore.directory}; to register, set LATTICE_BOOTSTRAP_TOKEN and LATTICE_CLUSTER_NAME`,
      );
    }
    onRegistering();
    const { keyPem, csrPem } = await this.deps.createKeyAndCsr(settings.clusterName, 2048);
    let result;
    try {
      result = await transport.register({
        bootstrapToken: settings.bootstrapToken,
        clusterName: settings.clusterName,
        csrPem,
        agentVersion: settings.agentVersion,
      });
    } catch (error) {
      if (error instanceof ControllerCallError && !error.retryable) {
        throw new AgentFatalError(`cannot register: ${error.message}`);
      }
      throw error;
    }
    if (!keyMatchesCertificate(keyPem, result.certificatePem)) {
      throw new AgentFatalError('registration returned a certificate that does not match the agent key');
    }
    const credentials: AgentCredentials = {
      keyPem,
      certPem: result.certificatePem,
      caPem: result.caBundlePem,
      identity: {
        clusterId: result.clusterId,
        tenantId: result.tenantId,
        controller: settings.controllerAddress,
      },
    };
    await stateStore.writeCredentials(credentials);
    this.credentials = credentials;
    logger.info({ clusterId: result.clusterId, tenantId: result.tenantId }, 'registered with the controller');
    this.scheduleRenewal();
    return credentials;
  }

  private scheduleRenewal(): void {
    clearTimeout(this.renewalTimer);
    if (!this.credentials || this.stopped) return;
    const renewAt = renewalTimeMs(certificateValidity(this.credentials.certPem));
    this.setRenewalTimer(renewAt - this.deps.now());
  }

  private setRenewalTimer(delayMs: number): void {
    // Longer waits wake up early and re-check.
    const wait = Math.min(Math.max(0, delayMs), MAX_TIMER_MS);
    this.renewalTimer = setTimeout(() => {
      if (delayMs > MAX_TIMER_MS) this.scheduleRenewal();
      else void this.renewCertificate();
    }, wait);
  }

  private async renewCertificate(): Promise<void> {
    const current = this.credentials;
    if (!current || this.stopped) return;
    const { settings, logger } = this.deps;
    try {
      const commonName = settings.clusterName ?? current.identity.clusterId;
      const { keyPem, csrPem } = await this.deps.createKeyAndCsr(commonName, 2048);
      const result = await this.deps.transport.renewCertificate(current, csrPem);
      if (!keyMatchesCertificate(keyPem, result.certificatePem)) {
        throw new Error('renewed certificate does not match the new key');
      }
      const renewed: AgentCredentials = {
        ...current,
        keyPem,
        certPem: result.certificatePem,
        caPem: result.caBundlePem || current.caPem,
      };
      await this.deps.stateStore.writeCredentials(renewed);
      // The open stream keeps its TLS session; the next connection uses the new certificate.
      this.credentials = renewed;
      logger.info(
        { notAfter: new Date(certificateValidity(renewed.certPem).notAfterMs).toISOString() },
        'agent certificate renewed',
      );
      this.scheduleRenewal();
    } catch (error) {
      const retryMs = settings.renewalRetryMs ?? 60_000;
      const notAfterMs = certificateValidity(current.certPem).notAfterMs;
      const level = this.deps.now() + retryMs >= notAfterMs ? 'error' : 'warn';
      logger[level](
        { err: errorMessage(error), retryMs, notAfter: new Date(notAfterMs).toISOString() },
        'agent certificate renewal failed',
      );
      if (!this.stopped) this.setRenewalTimer(retryMs);
    }
  }
}
