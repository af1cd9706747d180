import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  CONDITION_LIMITS,
  type DiagnosticFinding,
  type FieldError,
  diagnoseGlobalNamespace,
  DomainError,
  type FindingSeverity,
  type MeshInstallation,
  validateMeshInstallation,
} from '@lattice/domain';
import { EventBus } from '../../platform/events/event-bus.service';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { snapshotsAnnounced } from '../config-distribution/config-distribution.events';
import { DesiredStateScheduler } from '../config-distribution/desired-state-scheduler.service';
import { MeshMembershipService } from '../config-distribution/mesh-membership.service';
import { meshDiagnosticsQueue, MESH_READY_DEBOUNCE_MS } from './mesh-diagnostics.jobs';
import { diagnosedCluster } from './mesh-diagnostics.util';
import { MeshDiagnosticsRepository } from './mesh-diagnostics.repository';

export interface DiagnosedClusterView {
  id: string;
  name: string;
  /** Null when the agent never reported its installation (an agent too old to). */
  installation: MeshInstallation | null;
  installationReportedAt: Date | null;
}

export interface GnsDiagnosticsView {
  gnsId: string;
  gnsName: string;
  domain: string;
  /** When these findings were computed (they are computed on every request). */
  generatedAt: Date;
  /** Finding counts by severity. */
  summary: Record<FindingSeverity, number>;
  /** The member clusters diagnosed, by name. */
  clusters: DiagnosedClusterView[];
  findings: DiagnosticFinding[];
}

/** The installation of one cluster for the Cluster API faces. */
export interface ClusterInstallationView {
  installation: MeshInstallation | null;
  reportedAt: Date | null;
}

/**
 * Preflight diagnostics (docs/diagnostics.md): stores the Istio installation each agent reports,
 * diagnoses Global Namespaces across their member clusters (libs/domain diagnoseGlobalNamespace)
 * and keeps each cluster's MeshReady condition current. MeshReady is refreshed per tenant in a
 * deduplicated job after an installation changes and after any snapshot of the tenant is
 * announced (a GNS, membership or inventory change that alters what a cluster receives).
 */
@Injectable()
export class MeshDiagnosticsService implements OnModuleInit {
  private readonly logger = new Logger(MeshDiagnosticsService.name);

  constructor(
    private readonly repository: MeshDiagnosticsRepository,
    private readonly membership: MeshMembershipService,
    private readonly jobs: JobRunner,
    private readonly events: EventBus,
    private readonly desiredState: DesiredStateScheduler,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.events.subscribe(snapshotsAnnounced, (event) => this.scheduleMeshReady(event.tenantId));
  }

  /**
   * An agent's report. A malformed one is refused without ending the agent's stream (a diagnostics
   * report must not cut a cluster off its configuration): the last good installation stays, and
   * MeshReady turns Unknown with reason InvalidInstallationReport naming the bad fields until the
   * next refresh or a good report. Returns the problems (empty when the report was accepted).
   */
  async recordInstallation(
    tenantId: string,
    clusterId: string,
    installation: MeshInstallation,
  ): Promise<FieldError[]> {
    const problems = validateMeshInstallation(installation);
    if (problems.length > 0) {
      await this.repository.setMeshReady(
        tenantId,
        clusterId,
        {
          type: 'MeshReady',
          status: 'Unknown',
          reason: 'InvalidInstallationReport',
          message: `the agent's Istio installation report was refused: ${problems
            .map((problem) => `${problem.field}: ${problem.message}`)
            .join('; ')}`.slice(0, CONDITION_LIMITS.message),
        },
        new Date(),
      );
      return problems;
    }
    const changed = await this.repository.recordInstallation(tenantId, clusterId, installation, new Date());
    if (changed) {
      await this.scheduleMeshReady(tenantId);
      // The reported network, locality and gateway address fill what registration left unset.
      await this.desiredState.schedule(tenantId, 'mesh installation changed');
    }
    return [];
  }

  /** Findings of one GNS; NOT_FOUND when the tenant has no such GNS. */
  async diagnose(tenantId: string, gnsId: string): Promise<GnsDiagnosticsView> {
    const [view, installations] = await Promise.all([
      this.membership.ofGns(tenantId, gnsId),
      this.repository.installations(tenantId),
    ]);
    const clusters = view.mesh.clusters.map((cluster) =>
      diagnosedCluster(cluster, installations.get(cluster.id)?.installation ?? null),
    );
    const findings = diagnoseGlobalNamespace({ membership: view.gns, clusters });
    const members = new Set(view.gns.namespaces.map((member) => member.clusterId));
    return {
      gnsId: view.gns.gns.id,
      gnsName: view.gns.gns.name,
      domain: view.gns.gns.domain,
      generatedAt: new Date(),
      summary: {
        ERROR: findings.filter((f) => f.severity === 'ERROR').length,
        WARNING: findings.filter((f) => f.severity === 'WARNING').length,
        INFO: findings.filter((f) => f.severity === 'INFO').length,
      },
      clusters: clusters
        .filter((cluster) => members.has(cluster.id))
        .map((cluster) => ({
          id: cluster.id,
          name: cluster.name,
          installation: cluster.installation,
          installationReportedAt: installations.get(cluster.id)?.reportedAt ?? null,
        })),
      findings,
    };
  }

  /** One cluster's reported installation; NOT_FOUND when the tenant has no such cluster. */
  async installationOf(tenantId: string, clusterId: string): Promise<ClusterInstallationView> {
    const stored = await this.repository.installationOf(tenantId, clusterId);
    if (!stored) throw DomainError.notFound('cluster', clusterId);
    return { installation: stored.installation, reportedAt: stored.reportedAt };
  }

  /** Deduplicated per tenant across replicas (every replica hears each announcement). */
  private async scheduleMeshReady(tenantId: string): Promise<void> {
    await this.jobs
      .enqueue(
        meshDiagnosticsQueue,
        'refresh-mesh-ready',
        { tenantId },
        {
          delay: MESH_READY_DEBOUNCE_MS,
          deduplication: { id: `tenant:${tenantId}`, keepLastIfActive: true },
        },
      )
      .catch((error: unknown) =>
        this.logger.error({ err: error, tenantId }, 'scheduling a MeshReady refresh failed'),
      );
  }
}
