import { randomUUID } from 'node:crypto';
import {
  decideScale,
  triggerKey,
  type AutoscalingTrigger,
  type DesiredAutoscalingPolicy,
  type MetricSample,
  type ScaleDecision,
} from '@lattice/domain';
import type { AutoscalingDecision } from '@lattice/proto';
import { errorMessage, type AgentLogger } from '../logger';
import {
  WorkloadNotFoundError,
  type MeshMetricsApi,
  type WorkloadApi,
  type WorkloadRef,
} from './autoscaling-cluster.port';

/** Decisions kept while the controller is away; the oldest are dropped past it (and counted). */
export const DECISION_BUFFER_LIMIT = 500;
/** Decisions per AutoscalingDecisions message (the controller refuses more). */
export const DECISIONS_PER_MESSAGE = 100;

export type DecisionOutcome = 'APPLIED' | 'RECOMMENDED' | 'BLOCKED' | 'FAILED';

/** Where decisions go: the controller stream when it is open. */
export interface DecisionOutlet {
  readonly isOpen: boolean;
  send(decisions: AutoscalingDecision[]): void;
}

/** What the autoscaler tells the agent's metrics and readiness. */
export interface AutoscalerObserver {
  decision(outcome: DecisionOutcome): void;
  replicas(workload: string, current: number, desired: number): void;
  forget(workload: string): void;
}

/** The AutoscalingReady condition: False while a policy cannot act (an HPA owns the workload, it is missing). */
export interface AutoscalingCondition {
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionMs: number;
}

interface WorkloadState {
  policyKey: string;
  samples: MetricSample[][];
  lastScaleAtMs?: number;
  /** What was last recorded for this workload, so a standing block is recorded once. */
  lastRecorded?: string;
  problem?: { reason: string; message: string };
}

export interface AutoscalerOptions {
  workloads: WorkloadApi;
  /** Absent without a Prometheus URL: request, error and latency triggers then have no data. */
  mesh?: MeshMetricsApi;
  logger: AgentLogger;
  /** The policies of the last applied snapshot (kept across controller outages and restarts). */
  policies: () => readonly DesiredAutoscalingPolicy[];
  intervalMs: number;
  observer?: AutoscalerObserver;
  now?: () => number;
  newId?: () => string;
}

/**
 * The agent's autoscaler: every interval, for each policy of the applied snapshot, it samples the
 * triggers' metrics, runs the pure rule (libs/domain decideScale) over the window, scales the
 * workload through its scale subresource (or only records the recommendation), and records every
 * decision that changed or would have changed replicas, with the window values and the rule, to
 * send to the controller (buffered while it is away). It never touches a workload an HPA targets.
 */
export class Autoscaler {
  private readonly state = new Map<string, WorkloadState>();
  private readonly buffer: AutoscalingDecision[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private outlet: DecisionOutlet | undefined;
  private condition: AutoscalingCondition;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly conditionListeners = new Set<(condition: AutoscalingCondition) => void>();

  constructor(private readonly options: AutoscalerOptions) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    this.condition = { status: 'True', reason: 'Ready', message: '', lastTransitionMs: this.now() };
  }

  start(outlet: DecisionOutlet): void {
    this.outlet = outlet;
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref?.();
    void this.tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Decisions not yet sent. */
  get backlog(): number {
    return this.buffer.length;
  }

  /** Decisions dropped because the buffer was full. */
  get droppedDecisions(): number {
    return this.dropped;
  }

  currentCondition(): AutoscalingCondition {
    return this.condition;
  }

  onCondition(listener: (condition: AutoscalingCondition) => void): () => void {
    this.conditionListeners.add(listener);
    return () => this.conditionListeners.delete(listener);
  }

  /** Sends what is buffered (a new stream opened). */
  flush(): void {
    const outlet = this.outlet;
    if (!outlet?.isOpen) return;
    while (this.buffer.length > 0) {
      const chunk = this.buffer.slice(0, DECISIONS_PER_MESSAGE);
      outlet.send(chunk);
      this.buffer.splice(0, chunk.length);
    }
  }

  /** One round over every policy; never two at once. Public for tests. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.round()
      .catch((error: unknown) =>
        this.options.logger.error({ err: errorMessage(error) }, 'autoscaling round failed'),
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async round(): Promise<void> {
    const policies = this.options.policies();
    const seen = new Set<string>();
    const hpaCache = new Map<string, Promise<Awaited<ReturnType<WorkloadApi['listHpas']>>>>();
    for (const policy of policies) {
      const key = workloadKey(policy.target);
      seen.add(key);
      try {
        await this.evaluate(policy, key, hpaCache);
      } catch (error) {
        this.options.logger.warn(
          { workload: key, err: errorMessage(error) },
          'autoscaling a workload failed',
        );
      }
    }
    for (const key of [...this.state.keys()])
      if (!seen.has(key)) {
        this.state.delete(key);
        this.options.observer?.forget(key);
      }
    this.updateCondition();
    this.flush();
  }

  private async evaluate(
    policy: DesiredAutoscalingPolicy,
    key: string,
    hpaCache: Map<string, Promise<Awaited<ReturnType<WorkloadApi['listHpas']>>>>,
  ): Promise<void> {
    const policyKey = `${policy.policyId}@${policy.version}:${JSON.stringify(policy.triggers)}`;
    let state = this.state.get(key);
    if (!state || state.policyKey !== policyKey) {
      // A new or changed policy: windows start again (samples of other triggers mean nothing now).
      state = {
        policyKey,
        samples: policy.triggers.map(() => []),
        ...(state?.lastScaleAtMs !== undefined ? { lastScaleAtMs: state.lastScaleAtMs } : {}),
      };
      this.state.set(key, state);
    }
    const { workloads } = this.options;
    const now = this.now();

    let scale;
    try {
      scale = await workloads.readScale(policy.target);
    } catch (error) {
      if (!(error instanceof WorkloadNotFoundError)) throw error;
      state.problem = { reason: 'WorkloadNotFound', message: error.message };
      this.record(
        policy,
        state,
        now,
        {
          action: 'HOLD',
          fromReplicas: 0,
          toReplicas: 0,
          rule: `${error.message}: set targets[] in the policy for this cluster`,
          windows: [],
        },
        'FAILED',
        'missing',
      );
      return;
    }
    let hpas = hpaCache.get(policy.target.namespace);
    if (!hpas) {
      hpas = workloads.listHpas(policy.target.namespace);
      hpaCache.set(policy.target.namespace, hpas);
    }
    const hpa = (await hpas).find(
      (candidate) =>
        candidate.target.kind === policy.target.kind &&
        candidate.target.name === policy.target.name &&
        /^apps\//.test(candidate.target.apiVersion || 'apps/v1'),
    );
    if (hpa) {
      state.problem = {
        reason: 'HorizontalPodAutoscalerConflict',
        message: `${key} is scaled by HorizontalPodAutoscaler ${policy.target.namespace}/${hpa.name}; Lattice leaves it alone`,
      };
      this.record(
        policy,
        state,
        now,
        {
          action: 'HOLD',
          fromReplicas: scale.replicas,
          toReplicas: scale.replicas,
          rule: state.problem.message,
          blockedBy: 'HPA',
          windows: [],
        },
        'BLOCKED',
        `hpa:${hpa.name}`,
      );
      return;
    }

    state.problem = undefined;

    const values = await this.sample(policy, scale.replicas, scale.selector);
    const horizonMs = now - policy.windowSeconds * 1000 - 3 * this.options.intervalMs;
    values.forEach((value, index) => {
      const series = state.samples[index]!;
      series.push({ atMs: now, value });
      while (series.length > 0 && series[0]!.atMs < horizonMs) series.shift();
    });

    const decision = decideScale({
      policy,
      nowMs: now,
      currentReplicas: scale.replicas,
      samples: state.samples,
      sampleIntervalMs: this.options.intervalMs,
      ...(state.lastScaleAtMs !== undefined ? { lastScaleAtMs: state.lastScaleAtMs } : {}),
      ...(policy.scaleDownBlocked ? { blockingSlos: policy.blockingSlos.map((slo) => slo.name) } : {}),
    });
    this.options.observer?.replicas(key, scale.replicas, decision.toReplicas);

    if (decision.action === 'HOLD') {
      if (decision.blockedBy)
        this.record(policy, state, now, decision, 'BLOCKED', `${decision.blockedBy}:${decision.toReplicas}`);
      else state.lastRecorded = undefined;
      return;
    }
    if (policy.recommendOnly) {
      state.lastScaleAtMs = now;
      this.record(policy, state, now, decision, 'RECOMMENDED');
      return;
    }
    try {
      await workloads.applyScale(policy.target, decision.toReplicas);
      state.lastScaleAtMs = now;
      this.options.logger.info(
        { workload: key, from: decision.fromReplicas, to: decision.toReplicas, rule: decision.rule },
        'scaled',
      );
      this.record(policy, state, now, decision, 'APPLIED');
    } catch (error) {
      this.record(
        policy,
        state,
        now,
        { ...decision, rule: `${decision.rule}; failed: ${errorMessage(error)}` },
        'FAILED',
        'apply-failed',
      );
    }
  }

  /** The current value of each trigger; null when it cannot be read. */
  private async sample(
    policy: DesiredAutoscalingPolicy,
    replicas: number,
    selector: string,
  ): Promise<(number | null)[]> {
    const rangeSeconds = Math.max(4, Math.ceil((4 * this.options.intervalMs) / 1000));
    let usage: Promise<{ cpuMillicores: number; memoryMiB: number }[]> | undefined;
    const podUsage = () =>
      (usage ??= selector
        ? this.options.workloads.podUsage(policy.target.namespace, selector)
        : Promise.resolve([]));
    const read = async (trigger: AutoscalingTrigger): Promise<number | null> => {
      const mesh = this.options.mesh;
      switch (trigger.metric) {
        case 'CPU':
        case 'MEMORY': {
          const pods = await podUsage();
          if (pods.length === 0) return null;
          const total = pods.reduce(
            (sum, pod) => sum + (trigger.metric === 'CPU' ? pod.cpuMillicores : pod.memoryMiB),
            0,
          );
          return total / pods.length;
        }
        case 'REQUESTS_PER_SECOND':
          if (!mesh) return null;
          return (
            (await mesh.requestsPerSecond(policy.service, policy.serviceNamespace, rangeSeconds)) /
            Math.max(1, replicas)
          );
        case 'ERROR_RATE':
          if (!mesh) return null;
          return mesh.errorRatePercent(policy.service, policy.serviceNamespace, rangeSeconds);
        case 'LATENCY':
          if (!mesh) return null;
          return mesh.latencyMs(
            policy.service,
            policy.serviceNamespace,
            Number((trigger.percentile ?? 'p99').slice(1)) / 100,
            rangeSeconds,
          );
      }
    };
    return Promise.all(
      policy.triggers.map((trigger) =>
        read(trigger).catch((error: unknown) => {
          this.options.logger.warn(
            { service: policy.service, trigger: triggerKey(trigger), err: errorMessage(error) },
            'cannot read an autoscaling metric',
          );
          return null;
        }),
      ),
    );
  }

  /** Buffers a decision; with `dedupe`, one equal to the last recorded for the workload is skipped. */
  private record(
    policy: DesiredAutoscalingPolicy,
    state: WorkloadState,
    now: number,
    decision: Omit<ScaleDecision, 'blockedBy'> & { blockedBy?: string },
    outcome: DecisionOutcome,
    dedupe?: string,
  ): void {
    if (dedupe !== undefined) {
      if (state.lastRecorded === dedupe) return;
      state.lastRecorded = dedupe;
    } else state.lastRecorded = undefined;
    this.options.observer?.decision(outcome);
    this.buffer.push({
      decisionId: this.newId(),
      policyId: policy.policyId,
      policyVersion: policy.version,
      gnsId: policy.gnsId,
      service: policy.service,
      targetKind: policy.target.kind,
      targetNamespace: policy.target.namespace,
      targetName: policy.target.name,
      decidedAtUnixMs: now,
      action: decision.action,
      outcome,
      fromReplicas: decision.fromReplicas,
      toReplicas: decision.toReplicas,
      rule: decision.rule,
      blockedBy: decision.blockedBy ?? '',
      windows: decision.windows.map((window) => ({
        trigger: window.trigger,
        scaleUp: window.scaleUp,
        scaleDown: window.scaleDown,
        samples: window.samples,
        min: window.min ?? 0,
        max: window.max ?? 0,
        avg: window.avg ?? 0,
        verdict: window.verdict,
      })),
    });
    while (this.buffer.length > DECISION_BUFFER_LIMIT) {
      this.buffer.shift();
      this.dropped++;
    }
  }

  private updateCondition(): void {
    const problems = [...this.state.values()].flatMap((state) => (state.problem ? [state.problem] : []));
    const next =
      problems.length === 0
        ? { status: 'True' as const, reason: 'Ready', message: '' }
        : {
            status: 'False' as const,
            reason: problems[0]!.reason,
            message: problems
              .map((problem) => problem.message)
              .join('; ')
              .slice(0, 1000),
          };
    if (
      next.status === this.condition.status &&
      next.reason === this.condition.reason &&
      next.message === this.condition.message
    )
      return;
    this.condition = {
      ...next,
      lastTransitionMs: next.status === this.condition.status ? this.condition.lastTransitionMs : this.now(),
    };
    for (const listener of this.conditionListeners) listener(this.condition);
  }
}

export function workloadKey(workload: WorkloadRef): string {
  return `${workload.kind}/${workload.namespace}/${workload.name}`;
}
