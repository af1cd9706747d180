import {
  afterAck,
  afterNack,
  applyReportedConditions,
  type ClusterCondition,
  clusterConditions,
  setCondition,
  storedConditionsJson,
  storedConditionsSchema,
  validateReportedConditions,
} from './cluster-conditions';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const t1 = new Date('2026-01-01T00:01:00.000Z');
const t2 = new Date('2026-01-01T00:02:00.000Z');

const synced = (status: 'True' | 'False', reason: string, at: Date): ClusterCondition => ({
  type: 'InventorySynced',
  status,
  reason,
  message: reason,
  lastTransitionTime: at,
});

describe('setCondition', () => {
  it('moves lastTransitionTime only when the status changes', () => {
    const first = setCondition(
      [],
      { type: 'InventorySynced', status: 'False', reason: 'Forbidden', message: 'a' },
      t0,
    );
    const same = setCondition(
      first,
      { type: 'InventorySynced', status: 'False', reason: 'ServerError', message: 'b' },
      t1,
    );
    expect(same).toEqual([{ ...synced('False', 'ServerError', t0), message: 'b' }]);
    const healed = setCondition(
      same,
      { type: 'InventorySynced', status: 'True', reason: 'Synced', message: 'c' },
      t2,
    );
    expect(healed[0]?.lastTransitionTime).toEqual(t2);
  });

  it('keeps one entry per type, in the documented order', () => {
    let conditions = setCondition(
      [],
      { type: 'ApplySucceeded', status: 'True', reason: 'X', message: '' },
      t0,
    );
    conditions = setCondition(
      conditions,
      { type: 'Connected', status: 'True', reason: 'Y', message: '' },
      t0,
    );
    conditions = setCondition(
      conditions,
      { type: 'Connected', status: 'False', reason: 'Z', message: '' },
      t1,
    );
    expect(conditions.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Connected=False',
      'ApplySucceeded=True',
    ]);
  });
});

describe('validateReportedConditions', () => {
  const condition = {
    type: 'InventorySynced',
    status: 'False',
    reason: 'Forbidden',
    message: 'm',
    lastTransitionUnixMs: 1,
  };

  it('accepts agent-reported types and ignores unknown ones from newer agents', () => {
    const { problems, accepted } = validateReportedConditions([
      condition,
      { ...condition, type: 'SomethingNew' },
    ]);
    expect(problems).toEqual([]);
    expect(accepted.map((c) => c.type)).toEqual(['InventorySynced']);
  });

  it('refuses what the controller would have to guess, naming the field', () => {
    const { problems, accepted } = validateReportedConditions([
      { ...condition, status: 'maybe' },
      { ...condition, type: 'ApplySucceeded', reason: 'has spaces' },
    ]);
    expect(problems).toEqual([
      { field: 'conditions[0].status', message: 'must be True, False or Unknown (got "maybe")' },
      { field: 'conditions[1].reason', message: 'must be a CamelCase reason of at most 128 characters' },
    ]);
    expect(accepted).toEqual([]);
  });

  it('refuses a type reported twice and does not let an agent set the controller-side types', () => {
    expect(validateReportedConditions([condition, condition]).problems).toEqual([
      { field: 'conditions[1].type', message: 'InventorySynced is reported twice' },
    ]);
    expect(validateReportedConditions([{ ...condition, type: 'ApplySucceeded' }]).accepted).toEqual([]);
  });
});

describe('applyReportedConditions', () => {
  it('takes the agent transition time, bounded by now and the previous transition', () => {
    const future = applyReportedConditions(
      [],
      [
        {
          type: 'InventorySynced',
          status: 'False',
          reason: 'Forbidden',
          message: '',
          lastTransitionUnixMs: t2.getTime(),
        },
      ],
      t1,
    );
    expect(future[0]?.lastTransitionTime).toEqual(t1);
    const past = applyReportedConditions(
      future,
      [
        {
          type: 'InventorySynced',
          status: 'True',
          reason: 'Synced',
          message: '',
          lastTransitionUnixMs: t0.getTime(),
        },
      ],
      t2,
    );
    expect(past[0]?.lastTransitionTime).toEqual(t1);
  });
});

describe('afterAck / afterNack', () => {
  it('clears lastNack and makes ApplySucceeded True once the NACKed version (or a newer one) is applied', () => {
    const refused = afterNack({ appliedVersion: 3, lastNackVersion: null }, [], 4, 'sink failed', t0);
    expect(refused[0]).toMatchObject({
      status: 'False',
      reason: 'SnapshotRefused',
      message: 'snapshot version 4 refused: sink failed',
    });
    const acked = afterAck({ appliedVersion: 3, lastNackVersion: 4 }, refused, 4, t1);
    expect(acked).toMatchObject({ appliedVersion: 4, clearNack: true, changed: true });
    expect(acked.conditions[0]).toMatchObject({
      status: 'True',
      reason: 'SnapshotApplied',
      lastTransitionTime: t1,
    });
  });

  it('a late ACK of an older version changes nothing', () => {
    const refused = afterNack({ appliedVersion: 3, lastNackVersion: null }, [], 5, 'x', t0);
    const late = afterAck({ appliedVersion: 3, lastNackVersion: 5 }, refused, 2, t1);
    expect(late).toEqual({ appliedVersion: 3, clearNack: false, conditions: refused, changed: false });
  });

  it('an ACK above the applied version with an older NACK on record clears it too', () => {
    expect(afterAck({ appliedVersion: 3, lastNackVersion: 2 }, [], 4, t1).clearNack).toBe(true);
  });

  it('a NACK of a version already superseded by an applied one leaves the condition', () => {
    const applied = afterAck({ appliedVersion: 0, lastNackVersion: null }, [], 6, t0).conditions;
    expect(afterNack({ appliedVersion: 6, lastNackVersion: null }, applied, 5, 'late', t1)).toEqual(applied);
  });
});

describe('clusterConditions', () => {
  const facts = { createdAt: t0, firstConnectedAt: t0, connectionId: 'r1', lastSeenAt: t1 };

  it('fills in every type for a new cluster', () => {
    const shown = clusterConditions(
      [],
      { ...facts, firstConnectedAt: null, connectionId: null, lastSeenAt: null },
      t1,
    );
    expect(shown.map((c) => `${c.type}=${c.status}:${c.reason}`)).toEqual([
      'Connected=False:NeverConnected',
      'InventorySynced=Unknown:NotReported',
      'ApplySucceeded=Unknown:NoSnapshotAnswered',
      'MeshReady=Unknown:InstallationUnknown',
    ]);
  });

  it('fills in Connected for a connected cluster whose row predates conditions', () => {
    expect(clusterConditions([], facts, t1)[0]).toMatchObject({
      type: 'Connected',
      status: 'True',
      reason: 'StreamOpen',
      lastTransitionTime: t1,
    });
    expect(clusterConditions([], facts, t2, 30_000)[0]).toMatchObject({
      status: 'False',
      reason: 'HeartbeatsMissed',
    });
  });

  it('reports a stream whose heartbeats stopped as not connected, since the end of the grace period', () => {
    const stored = setCondition(
      [],
      { type: 'Connected', status: 'True', reason: 'StreamOpen', message: '' },
      t0,
    );
    const shown = clusterConditions(stored, facts, new Date(t1.getTime() + 60_000), 45_000);
    expect(shown[0]).toMatchObject({
      status: 'False',
      reason: 'HeartbeatsMissed',
      lastTransitionTime: new Date(t1.getTime() + 45_000),
    });
    expect(clusterConditions(stored, facts, t1)[0]).toMatchObject({ status: 'True', reason: 'StreamOpen' });
  });
});

describe('storedConditionsSchema', () => {
  it('round-trips through the JSON column', () => {
    const conditions = [synced('False', 'Forbidden', t1)];
    expect(storedConditionsSchema.parse(JSON.parse(storedConditionsJson(conditions)))).toEqual(conditions);
  });

  it('refuses an unknown type or status', () => {
    expect(storedConditionsSchema.safeParse([{ ...synced('True', 'X', t0), status: 'Yes' }]).success).toBe(
      false,
    );
  });
});
