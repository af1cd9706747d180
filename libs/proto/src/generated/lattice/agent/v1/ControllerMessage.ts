// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Snapshot as _lattice_agent_v1_Snapshot, Snapshot__Output as _lattice_agent_v1_Snapshot__Output } from './Snapshot';
import type { SignedIntermediate as _lattice_agent_v1_SignedIntermediate, SignedIntermediate__Output as _lattice_agent_v1_SignedIntermediate__Output } from './SignedIntermediate';
import type { Ping as _lattice_agent_v1_Ping, Ping__Output as _lattice_agent_v1_Ping__Output } from './Ping';
import type { TelemetryAck as _lattice_agent_v1_TelemetryAck, TelemetryAck__Output as _lattice_agent_v1_TelemetryAck__Output } from './TelemetryAck';
import type { IntermediateRequest as _lattice_agent_v1_IntermediateRequest, IntermediateRequest__Output as _lattice_agent_v1_IntermediateRequest__Output } from './IntermediateRequest';
import type { DeltaSnapshot as _lattice_agent_v1_DeltaSnapshot, DeltaSnapshot__Output as _lattice_agent_v1_DeltaSnapshot__Output } from './DeltaSnapshot';

export interface ControllerMessage {
  'snapshot'?: (_lattice_agent_v1_Snapshot | null);
  'signedIntermediate'?: (_lattice_agent_v1_SignedIntermediate | null);
  'ping'?: (_lattice_agent_v1_Ping | null);
  'telemetryAck'?: (_lattice_agent_v1_TelemetryAck | null);
  'intermediateRequest'?: (_lattice_agent_v1_IntermediateRequest | null);
  'deltaSnapshot'?: (_lattice_agent_v1_DeltaSnapshot | null);
  'body'?: "snapshot"|"signedIntermediate"|"ping"|"telemetryAck"|"intermediateRequest"|"deltaSnapshot";
}

export interface ControllerMessage__Output {
  'snapshot'?: (_lattice_agent_v1_Snapshot__Output | null);
  'signedIntermediate'?: (_lattice_agent_v1_SignedIntermediate__Output | null);
  'ping'?: (_lattice_agent_v1_Ping__Output | null);
  'telemetryAck'?: (_lattice_agent_v1_TelemetryAck__Output | null);
  'intermediateRequest'?: (_lattice_agent_v1_IntermediateRequest__Output | null);
  'deltaSnapshot'?: (_lattice_agent_v1_DeltaSnapshot__Output | null);
  'body'?: "snapshot"|"signedIntermediate"|"ping"|"telemetryAck"|"intermediateRequest"|"deltaSnapshot";
}
