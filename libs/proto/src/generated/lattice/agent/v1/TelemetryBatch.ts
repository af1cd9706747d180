// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { TelemetryItem as _lattice_agent_v1_TelemetryItem, TelemetryItem__Output as _lattice_agent_v1_TelemetryItem__Output } from './TelemetryItem';

export interface TelemetryBatch {
  'batchId'?: (string);
  'items'?: (_lattice_agent_v1_TelemetryItem)[];
}

export interface TelemetryBatch__Output {
  'batchId': (string);
  'items': (_lattice_agent_v1_TelemetryItem__Output)[];
}
