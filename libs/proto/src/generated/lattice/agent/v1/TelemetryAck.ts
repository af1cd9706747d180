// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface TelemetryAck {
  'batchId'?: (string);
  'duplicate'?: (boolean);
  'rejectedReason'?: (string);
  'acceptsPackedLatency'?: (boolean);
}

export interface TelemetryAck__Output {
  'batchId': (string);
  'duplicate': (boolean);
  'rejectedReason': (string);
  'acceptsPackedLatency': (boolean);
}
