import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { projectRoot } from '@lattice/platform';
import type { ProtoGrpcType } from './generated/agent';

export * from './generated/lattice/agent/v1/AgentMessage';
export * from './generated/lattice/agent/v1/ControllerMessage';
export type { AgentServiceClient, AgentServiceHandlers } from './generated/lattice/agent/v1/AgentService';
export type { Inventory__Output, Inventory } from './generated/lattice/agent/v1/Inventory';
export type { Service__Output, Service } from './generated/lattice/agent/v1/Service';
export type { Namespace__Output, Namespace } from './generated/lattice/agent/v1/Namespace';
export type { TelemetryItem, TelemetryItem__Output } from './generated/lattice/agent/v1/TelemetryItem';
export type { TelemetryBatch, TelemetryBatch__Output } from './generated/lattice/agent/v1/TelemetryBatch';
export type { LatencySketch, LatencySketch__Output } from './generated/lattice/agent/v1/LatencySketch';
export type { AgentConditions, AgentConditions__Output } from './generated/lattice/agent/v1/AgentConditions';
export type { Condition, Condition__Output } from './generated/lattice/agent/v1/Condition';
export type {
  AutoscalingDecisions,
  AutoscalingDecisions__Output,
} from './generated/lattice/agent/v1/AutoscalingDecisions';
export type {
  AutoscalingDecision,
  AutoscalingDecision__Output,
} from './generated/lattice/agent/v1/AutoscalingDecision';
export type {
  AutoscalingWindow,
  AutoscalingWindow__Output,
} from './generated/lattice/agent/v1/AutoscalingWindow';
export type { Snapshot, Snapshot__Output } from './generated/lattice/agent/v1/Snapshot';
export type { DeltaSnapshot, DeltaSnapshot__Output } from './generated/lattice/agent/v1/DeltaSnapshot';
export type { Resource, Resource__Output } from './generated/lattice/agent/v1/Resource';
export type { HeldResource, HeldResource__Output } from './generated/lattice/agent/v1/HeldResource';
export type { Hello, Hello__Output } from './generated/lattice/agent/v1/Hello';
export type { RegisterRequest__Output } from './generated/lattice/agent/v1/RegisterRequest';
export type {
  RegisterResponse,
  RegisterResponse__Output,
} from './generated/lattice/agent/v1/RegisterResponse';
export type { RenewCertificateRequest__Output } from './generated/lattice/agent/v1/RenewCertificateRequest';
export type {
  RenewCertificateResponse,
  RenewCertificateResponse__Output,
} from './generated/lattice/agent/v1/RenewCertificateResponse';

/** Where agent.proto lives, from source (ts/jest) and from the build (dist/). */
export const AGENT_PROTO_PATH = path.join(projectRoot(), 'libs/proto/lattice/agent/v1/agent.proto');

/** Loader options; they must match the flags used by `npm run proto:generate`. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Snapshot payload format the controller writes and the agent understands. */
/**
 * Trailer the controller sets when it refuses or closes an agent call because the agent's identity
 * was revoked (value: `cluster-revoked` or `certificate-replaced`). Retrying cannot help; the agent stops.
 */
export const AGENT_REVOKED_TRAILER = 'lattice-agent-revoked';

export const SNAPSHOT_FORMAT = 'lattice.desired-state.v1';

/** Largest message either side accepts; bigger ones get RESOURCE_EXHAUSTED. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

let loaded: ProtoGrpcType | undefined;

export function loadAgentProto(): ProtoGrpcType {
  if (!loaded) {
    const definition = protoLoader.loadSync(AGENT_PROTO_PATH, PROTO_LOADER_OPTIONS);
    loaded = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  }
  return loaded;
}
export type {
  MeshInstallation,
  MeshInstallation__Output,
} from './generated/lattice/agent/v1/MeshInstallation';
