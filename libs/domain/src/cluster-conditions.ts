import { z } from 'zod';
import type { FieldError } from './errors';
import { type ClusterConnectionFacts, CLUSTER_HEARTBEAT_GRACE_MS, clusterStatus } from './cluster-status';

/**
 * Cluster conditions in the Kubernetes style (API conventions, "Typical status properties"): one
 * entry per type, `status` True/False/Unknown, a CamelCase `reason`, a human `message`, and
 * `lastTransitionTime`, the last time `status` changed (not the last time the condition was
 * written).
 */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ClusterCondition {
  type: ClusterConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: Date;
}

/**
 * - Connected: the agent's stream is open and heartbeats arrive (controller side).
 * - InventorySynced: the agent's inventory reflects a complete, current read of its cluster's API
 *   (reported by the agent). While it is False the controller keeps the last good inventory.
 * - ApplySucceeded: the agent applied the newest snapshot it was sent (derived from ACK/NACK).
 * - AutoscalingReady: every autoscaling policy can act in the cluster (reported by the agent); False
 *   with HorizontalPodAutoscalerConflict or WorkloadNotFound (docs/autoscaling.md).
 * - MeshReady: the cluster's Istio installation has what its Global Namespaces need (from the
 *   installation the agent reports and the preflight diagnostics, libs/domain/src/diagnostics).
 */
export const CLUSTER_CONDITION_TYPES = [
  'Connected',
  'InventorySynced',
  'ApplySucceeded',
  'AutoscalingReady',
  'MeshReady',
] as const;
export type ClusterConditionType = (typeof CLUSTER_CONDITION_TYPES)[number];

/** The condition types an agent may report on its stream; the others are the controller's own. */
export const AGENT_REPORTED_CONDITION_TYPES: readonly ClusterConditionType[] = [
  'InventorySynced',
  'AutoscalingReady',
];

export const CONDITION_LIMITS = { reason: 128, message: 2_000 };
const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const STATUSES: readonly ConditionStatus[] = ['True', 'False', 'Unknown'];

/** How conditions are stored (a JSON column): times as ISO strings. */
export const storedConditionsSchema = z.array(
  z.object({
    type: z.enum(CLUSTER_CONDITION_TYPES),
    status: z.enum(['True', 'False', 'Unknown']),
    reason: z.string(),
    message: z.string(),
    lastTransitionTime: z.iso.datetime({ offset: true }).transform((iso) => new Date(iso)),
  }),
);

/** Conditions as stored (the JSON column); a value that does not parse reads as none. */
export function parseStoredConditions(json: unknown): ClusterCondition[] {
  const parsed = storedConditionsSchema.safeParse(json);
  return parsed.success ? parsed.data : [];
}

export function storedConditionsJson(conditions: readonly ClusterCondition[]): string {
  return JSON.stringify(
    conditions.map((condition) => ({
      ...condition,
      lastTransitionTime: condition.lastTransitionTime.toISOString(),
    })),
  );
}

/** A condition as an agent sent it, before validation. */
export interface ReportedCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
  /** When the agent saw the status change (0 = not given). */
  lastTransitionUnixMs: number;
}

/**
 * Checks what an agent reported. Types this controller does not know (a newer agent) are not
 * errors: `accepted` leaves them out, as unknown proto fields are ignored.
 */
export function validateReportedConditions(reported: readonly ReportedCondition[]): {
  problems: FieldError[];
  accepted: ReportedCondition[];
} {
  const problems: FieldError[] = [];
  const accepted: ReportedCondition[] = [];
  const seen = new Set<string>();
  reported.slice(0, 32).forEach((condition, i) => {
    const field = `conditions[${i}]`;
    const before = problems.length;
    if (!REASON.test(condition.type) || condition.type.length > CONDITION_LIMITS.reason)
      problems.push({ field: `${field}.type`, message: 'must be a CamelCase condition type' });
    if (!STATUSES.includes(condition.status as ConditionStatus))
      problems.push({
        field: `${field}.status`,
        message: `must be True, False or Unknown (got "${condition.status.slice(0, 20)}")`,
      });
    if (!REASON.test(condition.reason) || condition.reason.length > CONDITION_LIMITS.reason)
      problems.push({
        field: `${field}.reason`,
        message: `must be a CamelCase reason of at most ${CONDITION_LIMITS.reason} characters`,
      });
    if (seen.has(condition.type))
      problems.push({ field: `${field}.type`, message: `${condition.type} is reported twice` });
    seen.add(condition.type);
    if (problems.length > before) return;
    if ((AGENT_REPORTED_CONDITION_TYPES as readonly string[]).includes(condition.type))
      accepted.push({ ...condition, message: condition.message.slice(0, CONDITION_LIMITS.message) });
  });
  if (reported.length > 32) problems.push({ field: 'conditions', message: 'more than 32 conditions' });
  return { problems, accepted };
}

/**
 * Sets one condition (Kubernetes' meta.SetStatusCondition): `lastTransitionTime` moves only when
 * `status` changes; reason and message are updated either way. Returns the list sorted by type.
 */
export function setCondition(
  conditions: readonly ClusterCondition[],
  next: Omit<ClusterCondition, 'lastTransitionTime'>,
  transitionTime: Date,
): ClusterCondition[] {
  const existing = conditions.find((condition) => condition.type === next.type);
  const lastTransitionTime =
    existing && existing.status === next.status ? existing.lastTransitionTime : transitionTime;
  const others = conditions.filter((condition) => condition.type !== next.type);
  return [...others, { ...next, lastTransitionTime }].sort(
    (a, b) => CLUSTER_CONDITION_TYPES.indexOf(a.type) - CLUSTER_CONDITION_TYPES.indexOf(b.type),
  );
}

/**
 * Sets the conditions an agent reported. The transition time is the agent's when it gives one,
 * but never later than `now` nor earlier than the previous transition (agent clocks drift).
 */
export function applyReportedConditions(
  conditions: readonly ClusterCondition[],
  reported: readonly ReportedCondition[],
  now: Date,
): ClusterCondition[] {
  return reported.reduce<ClusterCondition[]>(
    (current, condition) => {
      const previous = current.find((c) => c.type === condition.type)?.lastTransitionTime.getTime() ?? 0;
      const agentTime = condition.lastTransitionUnixMs > 0 ? condition.lastTransitionUnixMs : now.getTime();
      const at = new Date(Math.max(previous, Math.min(agentTime, now.getTime())));
      return setCondition(
        current,
        {
          type: condition.type as ClusterConditionType,
          status: condition.status as ConditionStatus,
          reason: condition.reason,
          message: condition.message,
        },
        at,
      );
    },
    [...conditions],
  );
}

/** What the ACK/NACK bookkeeping of a cluster holds. */
export interface ApplyFacts {
  appliedVersion: number;
  lastNackVersion: number | null;
}

/**
 * An ACK of `version`: applied versions only go up (a late ACK of an older snapshot changes
 * nothing), and an ACK at or above the last NACKed version clears `lastNack` and makes
 * ApplySucceeded True. `changed` is false when the ACK changes nothing.
 */
export function afterAck(
  facts: ApplyFacts,
  conditions: readonly ClusterCondition[],
  version: number,
  now: Date,
): { appliedVersion: number; clearNack: boolean; conditions: ClusterCondition[]; changed: boolean } {
  const newer = version > facts.appliedVersion;
  const clearNack = facts.lastNackVersion !== null && version >= facts.lastNackVersion;
  if (!newer && !clearNack)
    return { appliedVersion: facts.appliedVersion, clearNack, conditions: [...conditions], changed: false };
  return {
    appliedVersion: Math.max(facts.appliedVersion, version),
    clearNack,
    conditions: setCondition(
      conditions,
      {
        type: 'ApplySucceeded',
        status: 'True',
        reason: 'SnapshotApplied',
        message: `snapshot version ${version} applied`,
      },
      now,
    ),
    changed: true,
  };
}

/** A NACK of `version` makes ApplySucceeded False, unless a newer version was applied already. */
export function afterNack(
  facts: ApplyFacts,
  conditions: readonly ClusterCondition[],
  version: number,
  reason: string,
  now: Date,
): ClusterCondition[] {
  if (version <= facts.appliedVersion) return [...conditions];
  return setCondition(
    conditions,
    {
      type: 'ApplySucceeded',
      status: 'False',
      reason: 'SnapshotRefused',
      message: `snapshot version ${version} refused: ${reason}`.slice(0, CONDITION_LIMITS.message),
    },
    now,
  );
}

export const CONNECTED_CONDITION = {
  open: { type: 'Connected', status: 'True', reason: 'StreamOpen', message: 'the agent stream is open' },
  closed: {
    type: 'Connected',
    status: 'False',
    reason: 'StreamClosed',
    message: 'the agent stream ended',
  },
} as const satisfies Record<string, Omit<ClusterCondition, 'lastTransitionTime'>>;

/**
 * What a full inventory from an agent that does not report conditions (an agent older than the
 * AgentConditions message, or a file inventory source) says about InventorySynced.
 */
export const INVENTORY_REPORTED_CONDITION = {
  type: 'InventorySynced',
  status: 'True',
  reason: 'InventoryReported',
  message: 'the agent reported a full inventory (it does not report its sync state)',
} as const satisfies Omit<ClusterCondition, 'lastTransitionTime'>;

/** MeshReady of a cluster whose agent never reported its Istio installation (an older agent). */
export const MESH_READY_NOT_REPORTED = {
  type: 'MeshReady',
  status: 'Unknown',
  reason: 'InstallationUnknown',
  message:
    'the Istio installation is unknown (agent too old: it does not report its mesh installation, or it has not connected since it was upgraded)',
} as const satisfies Omit<ClusterCondition, 'lastTransitionTime'>;

export interface ConditionFacts extends ClusterConnectionFacts {
  createdAt: Date;
}

/**
 * Every condition type of a cluster as an API shows it: the stored ones, Connected corrected for a
 * stream whose heartbeats stopped (a crashed replica never wrote StreamClosed), and Unknown (or,
 * for Connected, False) for a type nothing has set yet — except AutoscalingReady, shown only once
 * reported.
 */
export function clusterConditions(
  stored: readonly ClusterCondition[],
  facts: ConditionFacts,
  now: Date,
  graceMs = CLUSTER_HEARTBEAT_GRACE_MS,
): ClusterCondition[] {
  const byType = new Map(stored.map((condition) => [condition.type, condition]));
  const connected = byType.get('Connected');
  const status = clusterStatus(facts, now, graceMs);
  if (status === 'PENDING') {
    byType.set('Connected', {
      type: 'Connected',
      status: 'False',
      reason: 'NeverConnected',
      message: 'no agent has connected yet',
      lastTransitionTime: facts.createdAt,
    });
  } else if (status === 'DISCONNECTED' && connected?.status !== 'False') {
    const lastSeen = facts.lastSeenAt ?? facts.firstConnectedAt ?? facts.createdAt;
    byType.set('Connected', {
      type: 'Connected',
      status: 'False',
      reason: 'HeartbeatsMissed',
      message: `no heartbeat from the agent for more than ${Math.round(graceMs / 1000)} s`,
      lastTransitionTime: new Date(lastSeen.getTime() + graceMs),
    });
  }
  if (!byType.has('Connected'))
    // Connected before conditions were recorded (a row older than the column): the transition time is
    // unknown; the last heartbeat is the latest time it is known to hold.
    byType.set('Connected', {
      ...CONNECTED_CONDITION.open,
      lastTransitionTime: facts.lastSeenAt ?? facts.firstConnectedAt ?? facts.createdAt,
    });
  if (!byType.has('InventorySynced'))
    byType.set('InventorySynced', {
      type: 'InventorySynced',
      status: 'Unknown',
      reason: 'NotReported',
      message: 'the agent has not reported its inventory yet',
      lastTransitionTime: facts.createdAt,
    });
  if (!byType.has('ApplySucceeded'))
    byType.set('ApplySucceeded', {
      type: 'ApplySucceeded',
      status: 'Unknown',
      reason: 'NoSnapshotAnswered',
      message: 'the agent has not answered a snapshot yet',
      lastTransitionTime: facts.createdAt,
    });
  if (!byType.has('MeshReady'))
    byType.set('MeshReady', { ...MESH_READY_NOT_REPORTED, lastTransitionTime: facts.createdAt });
  // AutoscalingReady appears once an agent reports it (agents that write to the cluster do).
  return CLUSTER_CONDITION_TYPES.flatMap((type) => byType.get(type) ?? []);
}
