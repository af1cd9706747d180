// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Hello as _lattice_agent_v1_Hello, Hello__Output as _lattice_agent_v1_Hello__Output } from './Hello';
import type { Inventory as _lattice_agent_v1_Inventory, Inventory__Output as _lattice_agent_v1_Inventory__Output } from './Inventory';
import type { Ack as _lattice_agent_v1_Ack, Ack__Output as _lattice_agent_v1_Ack__Output } from './Ack';
import type { Nack as _lattice_agent_v1_Nack, Nack__Output as _lattice_agent_v1_Nack__Output } from './Nack';
import type { IntermediateCsr as _lattice_agent_v1_IntermediateCsr, IntermediateCsr__Output as _lattice_agent_v1_IntermediateCsr__Output } from './IntermediateCsr';
import type { TelemetryBatch as _lattice_agent_v1_TelemetryBatch, TelemetryBatch__Output as _lattice_agent_v1_TelemetryBatch__Output } from './TelemetryBatch';
import type { Heartbeat as _lattice_agent_v1_Heartbeat, Heartbeat__Output as _lattice_agent_v1_Heartbeat__Output } from './Heartbeat';
import type { AgentConditions as _lattice_agent_v1_AgentConditions, AgentConditions__Output as _lattice_agent_v1_AgentConditions__Output } from './AgentConditions';
import type { MeshInstallation as _lattice_agent_v1_MeshInstallation, MeshInstallation__Output as _lattice_agent_v1_MeshInstallation__Output } from './MeshInstallation';
import type { AutoscalingDecisions as _lattice_agent_v1_AutoscalingDecisions, AutoscalingDecisions__Output as _lattice_agent_v1_AutoscalingDecisions__Output } from './AutoscalingDecisions';

export interface AgentMessage {
  'hello'?: (_lattice_agent_v1_Hello | null);
  'inventory'?: (_lattice_agent_v1_Inventory | null);
  'ack'?: (_lattice_agent_v1_Ack | null);
  'nack'?: (_lattice_agent_v1_Nack | null);
  'csr'?: (_lattice_agent_v1_IntermediateCsr | null);
  'telemetry'?: (_lattice_agent_v1_TelemetryBatch | null);
  'heartbeat'?: (_lattice_agent_v1_Heartbeat | null);
  'conditions'?: (_lattice_agent_v1_AgentConditions | null);
  'mesh'?: (_lattice_agent_v1_MeshInstallation | null);
  'autoscalingDecisions'?: (_lattice_agent_v1_AutoscalingDecisions | null);
  'body'?: "hello"|"inventory"|"ack"|"nack"|"csr"|"telemetry"|"heartbeat"|"conditions"|"mesh"|"autoscalingDecisions";
}

export interface AgentMessage__Output {
  'hello'?: (_lattice_agent_v1_Hello__Output | null);
  'inventory'?: (_lattice_agent_v1_Inventory__Output | null);
  'ack'?: (_lattice_agent_v1_Ack__Output | null);
  'nack'?: (_lattice_agent_v1_Nack__Output | null);
  'csr'?: (_lattice_agent_v1_IntermediateCsr__Output | null);
  'telemetry'?: (_lattice_agent_v1_TelemetryBatch__Output | null);
  'heartbeat'?: (_lattice_agent_v1_Heartbeat__Output | null);
  'conditions'?: (_lattice_agent_v1_AgentConditions__Output | null);
  'mesh'?: (_lattice_agent_v1_MeshInstallation__Output | null);
  'autoscalingDecisions'?: (_lattice_agent_v1_AutoscalingDecisions__Output | null);
  'body'?: "hello"|"inventory"|"ack"|"nack"|"csr"|"telemetry"|"heartbeat"|"conditions"|"mesh"|"autoscalingDecisions";
}
