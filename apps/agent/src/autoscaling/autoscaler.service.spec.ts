import type { DesiredAutoscalingPolicy } from '@lattice/domain';
import type { AutoscalingDecision } from '@lattice/proto';
import type { AgentLogger } from '../logger';
import type { HpaRef, WorkloadApi, WorkloadRef } from './autoscaling-cluster.port';
import { WorkloadNotFoundError } from './autoscaling-cluster.port';
import { Autoscaler, DECISION_BUFFER_LIMIT, type DecisionOutlet } from './autoscaler.service';

const quiet: AgentLogger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as AgentLogger;

/** An in-memory cluster: workloads with replicas, HPAs, per-pod CPU. */
class FakeCluster implements WorkloadApi {
  replicas = new Map<string, number>([['shop/cart', 2]]);
  hpas: HpaRef[] = [];
  cpu = 500;
  applied: number[] = [];

  readScale(workload: WorkloadRef) {
    const replicas = this.replicas.get(`${workload.namespace}/${workload.name}`);
    if (replicas === undefined)
      return Promise.reject(new WorkloadNotFoundError(`${workload.name} not found`));
    return Promise.resolve({ replicas, selector: `app=${workload.name}` });
  }
  applyScale(workload: WorkloadRef, replicas: number) {
    this.applied.push(replicas);
    this.replicas.set(`${workload.namespace}/${workload.name}`, replicas);
    return Promise.resolve();
  }
  listHpas() {
    return Promise.resolve(this.hpas);
  }
  podUsage() {
    return Promise.resolve([
      { cpuMillicores: this.cpu, memoryMiB: 64 },
      { cpuMillicores: this.cpu, memoryMiB: 64 },
    ]);
  }
}

class Outlet implements DecisionOutlet {
  isOpen = false;
  readonly messages: AutoscalingDecision[][] = [];
  send(decisions: AutoscalingDecision[]) {
    this.messages.push(decisions);
  }
}

const policy: DesiredAutoscalingPolicy = {
  policyId: 'p1',
  version: 1,
  gnsId: 'g1',
  service: 'cart',
  serviceNamespace: 'shop',
  target: { kind: 'Deployment', namespace: 'shop', name: 'cart' },
  mode: 'EFFICIENCY',
  instances: { min: 1, max: 10, default: 2, stepsUp: 1, stepsDown: 1 },
  triggers: [{ metric: 'CPU', scaleUp: 800, scaleDown: 200 }],
  windowSeconds: 3,
  gracePeriodSeconds: 0,
  recommendOnly: false,
  scaleDownBlocked: false,
  blockingSlos: [],
};

function setup(policies: DesiredAutoscalingPolicy[]) {
  const cluster = new FakeCluster();
  const outlet = new Outlet();
  let now = 1_000_000;
  let id = 0;
  const autoscaler = new Autoscaler({
    workloads: cluster,
    logger: quiet,
    policies: () => policies,
    intervalMs: 1000,
    now: () => now,
    newId: () => `d${++id}`,
  });
  (autoscaler as unknown as { outlet: DecisionOutlet }).outlet = outlet;
  const rounds = async (count: number) => {
    for (let i = 0; i < count; i++) {
      await autoscaler.tick();
      now += 1000;
    }
  };
  return { cluster, outlet, autoscaler, rounds };
}

describe('Autoscaler', () => {
  it('scales while the controller is away and sends the decisions once it is back', async () => {
    const { cluster, outlet, autoscaler, rounds } = setup([policy]);
    cluster.cpu = 900;
    await rounds(5);
    expect(cluster.replicas.get('shop/cart')).toBe(3);
    expect(outlet.messages).toEqual([]);
    expect(autoscaler.backlog).toBe(1);
    outlet.isOpen = true;
    autoscaler.flush();
    expect(outlet.messages.flat()).toEqual([
      expect.objectContaining({
        decisionId: 'd1',
        outcome: 'APPLIED',
        action: 'SCALE_UP',
        fromReplicas: 2,
        toReplicas: 3,
      }),
    ]);
    expect(autoscaler.backlog).toBe(0);
  });

  it('records recommendations without scaling', async () => {
    const { cluster, outlet, rounds } = setup([{ ...policy, recommendOnly: true }]);
    outlet.isOpen = true;
    cluster.cpu = 900;
    await rounds(5);
    expect(cluster.applied).toEqual([]);
    expect(outlet.messages.flat()[0]).toMatchObject({
      outcome: 'RECOMMENDED',
      fromReplicas: 2,
      toReplicas: 3,
    });
  });

  it('stands aside for an HPA: one BLOCKED decision, a False condition, no scaling; True again without it', async () => {
    const { cluster, outlet, autoscaler, rounds } = setup([policy]);
    outlet.isOpen = true;
    cluster.cpu = 900;
    cluster.hpas = [{ name: 'cart', target: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'cart' } }];
    await rounds(6);
    expect(cluster.applied).toEqual([]);
    expect(outlet.messages.flat()).toEqual([
      expect.objectContaining({ outcome: 'BLOCKED', blockedBy: 'HPA' }),
    ]);
    expect(autoscaler.currentCondition()).toMatchObject({
      status: 'False',
      reason: 'HorizontalPodAutoscalerConflict',
    });
    cluster.hpas = [];
    await rounds(1);
    expect(autoscaler.currentCondition()).toMatchObject({ status: 'True', reason: 'Ready' });
  });

  it('reports a missing workload once, and records a standing SLO block once', async () => {
    const { cluster, outlet, autoscaler, rounds } = setup([
      { ...policy, scaleDownBlocked: true, blockingSlos: [{ id: 's1', name: 'cart-errors' }] },
      {
        ...policy,
        policyId: 'p2',
        service: 'web',
        target: { kind: 'Deployment', namespace: 'shop', name: 'web' },
      },
    ]);
    outlet.isOpen = true;
    cluster.cpu = 50;
    await rounds(8);
    const decisions = outlet.messages.flat();
    expect(decisions.filter((decision) => decision.blockedBy === 'SLO')).toHaveLength(1);
    expect(decisions.find((decision) => decision.blockedBy === 'SLO')!.rule).toContain('cart-errors');
    expect(decisions.filter((decision) => decision.outcome === 'FAILED')).toHaveLength(1);
    expect(autoscaler.currentCondition()).toMatchObject({ status: 'False', reason: 'WorkloadNotFound' });
    expect(cluster.applied).toEqual([]);
  });

  it('keeps at most DECISION_BUFFER_LIMIT decisions while disconnected, the newest', async () => {
    const { cluster, autoscaler, outlet } = setup([{ ...policy, recommendOnly: true, windowSeconds: 1 }]);
    cluster.cpu = 900;
    const internals = autoscaler as unknown as {
      record: (...args: unknown[]) => void;
      state: Map<string, unknown>;
    };
    for (let i = 0; i < DECISION_BUFFER_LIMIT + 20; i++)
      internals.record(
        policy,
        { policyKey: 'k', samples: [] },
        i,
        { action: 'SCALE_UP', fromReplicas: 1, toReplicas: 2, rule: `r${i}`, windows: [] },
        'RECOMMENDED',
      );
    expect(autoscaler.backlog).toBe(DECISION_BUFFER_LIMIT);
    expect(autoscaler.droppedDecisions).toBe(20);
    outlet.isOpen = true;
    autoscaler.flush();
    expect(outlet.messages.map((message) => message.length)).toEqual([100, 100, 100, 100, 100]);
    expect(outlet.messages[0]![0]!.rule).toBe('r20');
  });
});
