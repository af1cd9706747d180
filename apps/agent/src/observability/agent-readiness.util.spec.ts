import type { AgentStatus } from '../agent';
import { agentReadiness } from './agent-readiness.util';

const status = (overrides: Partial<AgentStatus>): AgentStatus => ({
  state: 'connected',
  clusterId: 'c1',
  appliedVersion: 0,
  inventoryRevision: 1,
  inventorySynced: true,
  telemetryBacklog: 0,
  certificateNotAfterMs: undefined,
  ...overrides,
});

describe('agentReadiness', () => {
  it('is ready when connected with an inventory, even before the first snapshot', () => {
    expect(agentReadiness(status({}))).toEqual({ ready: true, reasons: [] });
  });

  it('stays ready while the controller is away if it serves the snapshot it applied', () => {
    expect(agentReadiness(status({ state: 'backing-off', appliedVersion: 7 })).ready).toBe(true);
  });

  it('is not ready without a connection and without a snapshot, saying why', () => {
    expect(agentReadiness(status({ state: 'registering' }))).toEqual({
      ready: false,
      reasons: ['not connected to the controller (registering) and no snapshot applied yet'],
    });
  });

  it('is not ready before the inventory is read, nor once stopped', () => {
    expect(agentReadiness(status({ inventorySynced: false })).reasons).toEqual([
      'the inventory has not been read yet',
    ]);
    expect(agentReadiness(status({ state: 'stopped', appliedVersion: 3 })).reasons).toEqual([
      'the agent has stopped',
    ]);
  });
});
