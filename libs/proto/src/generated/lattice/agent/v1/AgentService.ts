// Original file: libs/proto/lattice/agent/v1/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _lattice_agent_v1_AgentMessage, AgentMessage__Output as _lattice_agent_v1_AgentMessage__Output } from './AgentMessage';
import type { ControllerMessage as _lattice_agent_v1_ControllerMessage, ControllerMessage__Output as _lattice_agent_v1_ControllerMessage__Output } from './ControllerMessage';
import type { RegisterRequest as _lattice_agent_v1_RegisterRequest, RegisterRequest__Output as _lattice_agent_v1_RegisterRequest__Output } from './RegisterRequest';
import type { RegisterResponse as _lattice_agent_v1_RegisterResponse, RegisterResponse__Output as _lattice_agent_v1_RegisterResponse__Output } from './RegisterResponse';
import type { RenewCertificateRequest as _lattice_agent_v1_RenewCertificateRequest, RenewCertificateRequest__Output as _lattice_agent_v1_RenewCertificateRequest__Output } from './RenewCertificateRequest';
import type { RenewCertificateResponse as _lattice_agent_v1_RenewCertificateResponse, RenewCertificateResponse__Output as _lattice_agent_v1_RenewCertificateResponse__Output } from './RenewCertificateResponse';

export interface AgentServiceClient extends grpc.Client {
  Connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_lattice_agent_v1_AgentMessage, _lattice_agent_v1_ControllerMessage__Output>;
  Connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_lattice_agent_v1_AgentMessage, _lattice_agent_v1_ControllerMessage__Output>;
  connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_lattice_agent_v1_AgentMessage, _lattice_agent_v1_ControllerMessage__Output>;
  connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_lattice_agent_v1_AgentMessage, _lattice_agent_v1_ControllerMessage__Output>;
  
  Register(argument: _lattice_agent_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_lattice_agent_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _lattice_agent_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_lattice_agent_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _lattice_agent_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_lattice_agent_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _lattice_agent_v1_RegisterRequest, callback: grpc.requestCallback<_lattice_agent_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _lattice_agent_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_lattice_agent_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _lattice_agent_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_lattice_agent_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _lattice_agent_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_lattice_agent_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _lattice_agent_v1_RegisterRequest, callback: grpc.requestCallback<_lattice_agent_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  
  RenewCertificate(argument: _lattice_agent_v1_RenewCertificateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_lattice_agent_v1_RenewCertificateResponse__Output>): grpc.ClientUnaryCall;
  RenewCertificate(argument: _lattice_agent_v1_RenewCertificateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_lattice_agent_v1_RenewCertificateResponse__Output>): grpc.ClientUnaryCall;
  RenewCertificate(argument: _lattice_agent_v1_RenewCertificateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_lattice_agent_v1_RenewCertificateResponse__Output>): grpc.ClientUnaryCall;
  RenewCertificate(argument: _lattice_agent_v1_RenewCertificateRequest, callback: grpc.requestCallback<_lattice_agent_v1_RenewCertificateResponse__Output>): grpc.ClientUnaryCall;
  renewCertificate(argument: _lattice_agent_v1_RenewCertificateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_lattice_agent_v1_RenewCertificateResponse__Output>): grpc.ClientUnaryCall;
  renewCertificate(argument: _lattice_agent_v1_RenewCertificateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_lattice_agent_v1_RenewCertificateResponse__Output>): grpc.ClientUnaryCall;
  renewCertificate(argument: _lattice_agent_v1_RenewCertificateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_lattice_agent_v1_RenewCertificateResponse__Output>): grpc.ClientUnaryCall;
  renewCertificate(argument: _lattice_agent_v1_RenewCertificateRequest, callback: grpc.requestCallback<_lattice_agent_v1_RenewCertificateResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AgentServiceHandlers extends grpc.UntypedServiceImplementation {
  Connect: grpc.handleBidiStreamingCall<_lattice_agent_v1_AgentMessage__Output, _lattice_agent_v1_ControllerMessage>;
  
  Register: grpc.handleUnaryCall<_lattice_agent_v1_RegisterRequest__Output, _lattice_agent_v1_RegisterResponse>;
  
  RenewCertificate: grpc.handleUnaryCall<_lattice_agent_v1_RenewCertificateRequest__Output, _lattice_agent_v1_RenewCertificateResponse>;
  
}

export interface AgentServiceDefinition extends grpc.ServiceDefinition {
  Connect: MethodDefinition<_lattice_agent_v1_AgentMessage, _lattice_agent_v1_ControllerMessage, _lattice_agent_v1_AgentMessage__Output, _lattice_agent_v1_ControllerMessage__Output>
  Register: MethodDefinition<_lattice_agent_v1_RegisterRequest, _lattice_agent_v1_RegisterResponse, _lattice_agent_v1_RegisterRequest__Output, _lattice_agent_v1_RegisterResponse__Output>
  RenewCertificate: MethodDefinition<_lattice_agent_v1_RenewCertificateRequest, _lattice_agent_v1_RenewCertificateResponse, _lattice_agent_v1_RenewCertificateRequest__Output, _lattice_agent_v1_RenewCertificateResponse__Output>
}
