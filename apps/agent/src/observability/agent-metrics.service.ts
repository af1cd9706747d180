import type { KubeObject } from '@lattice/istio';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AgentStatus } from '../agent';
import type { AgentConnectionState } from '../connection/controller-session.service';
import type { ApplyOptions, ApplySink } from '../sink/apply-sink.port';
import type { AutoscalerObserver } from '../autoscaling/autoscaler.service';
import { AGENT_VERSION } from '../version';

const CONNECTION_STATES: readonly AgentConnectionState[] = [
  'idle',
  'registering',
  'connecting',
  'connected',
  'backing-off',
  'stopped',
];

/**
 * The agent's Prometheus metrics: Node's standard process metrics, what the agent reports about
 * itself (read from its status at each scrape) and how applying configuration to the cluster goes
 * (measured around the apply sink).
 */
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly applyDuration: Histogram<'result'>;
  private readonly applyErrors: Counter;

  constructor(status: () => AgentStatus) {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    new Gauge({
      name: 'lattice_agent_info',
      help: 'Always 1; the agent version in a label.',
      labelNames: ['version'],
      registers,
    }).set({ version: AGENT_VERSION }, 1);
    new Gauge({
      name: 'lattice_agent_applied_snapshot_version',
      help: 'Version of the configuration snapshot applied to the cluster (0: none yet).',
      registers,
      collect() {
        this.set(status().appliedVersion);
      },
    });
    new Gauge({
      name: 'lattice_agent_controller_connected',
      help: '1 while the stream to the controller is open.',
      registers,
      collect() {
        this.set(status().state === 'connected' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'lattice_agent_connection_state',
      help: 'The state of the connection to the controller: 1 for the current state, 0 for the others.',
      labelNames: ['state'],
      registers,
      collect() {
        const current = status().state;
        for (const state of CONNECTION_STATES) this.set({ state }, state === current ? 1 : 0);
      },
    });
    new Gauge({
      name: 'lattice_agent_inventory_synced',
      help: '1 while the inventory is current: Kubernetes, the InventorySynced condition is True (every watched resource listed and watched); file source, once read.',
      registers,
      collect() {
        const { inventorySync, inventorySynced } = status();
        this.set((inventorySync ? inventorySync.status === 'True' : inventorySynced) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'lattice_agent_telemetry_backlog_batches',
      help: 'Telemetry batches collected and not yet acknowledged by the controller.',
      registers,
      collect() {
        this.set(status().telemetryBacklog);
      },
    });
    this.applyDuration = new Histogram({
      name: 'lattice_agent_apply_duration_seconds',
      help: 'Time to apply a rendered snapshot to the cluster (or output folder), by result.',
      labelNames: ['result'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.applyErrors = new Counter({
      name: 'lattice_agent_apply_errors_total',
      help: 'Applies to the cluster that failed (the snapshot was then NACKed and the previous state kept).',
      registers,
    });
  }

  /** What the autoscaler reports: decisions by outcome, current and desired replicas per workload. */
  autoscalingObserver(): AutoscalerObserver {
    const registers = [this.registry];
    const decisions = new Counter({
      name: 'lattice_agent_autoscaling_decisions_total',
      help: 'Autoscaling decisions recorded, by outcome (APPLIED, RECOMMENDED, BLOCKED, FAILED).',
      labelNames: ['outcome'],
      registers,
    });
    const current = new Gauge({
      name: 'lattice_agent_autoscaling_current_replicas',
      help: 'Replicas of an autoscaled workload (spec.replicas of its scale subresource) at the last round.',
      labelNames: ['workload'],
      registers,
    });
    const desired = new Gauge({
      name: 'lattice_agent_autoscaling_desired_replicas',
      help: 'Replicas the autoscaling rule wanted for the workload at the last round.',
      labelNames: ['workload'],
      registers,
    });
    return {
      decision: (outcome) => decisions.inc({ outcome }),
      replicas: (workload, now, wanted) => {
        current.set({ workload }, now);
        desired.set({ workload }, wanted);
      },
      forget: (workload) => {
        current.remove({ workload });
        desired.remove({ workload });
      },
    };
  }

  /** The sink, with every apply timed and every failure counted. */
  measure(sink: ApplySink): ApplySink {
    return {
      apply: async (objects: KubeObject[], options?: ApplyOptions) => {
        const end = this.applyDuration.startTimer();
        try {
          await sink.apply(objects, options);
          end({ result: 'success' });
        } catch (error) {
          end({ result: 'error' });
          this.applyErrors.inc();
          throw error;
        }
      },
    };
  }

  /** The Prometheus text exposition of every metric. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
