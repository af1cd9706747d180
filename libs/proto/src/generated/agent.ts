import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Ack as _lattice_agent_v1_Ack, Ack__Output as _lattice_agent_v1_Ack__Output } from './lattice/agent/v1/Ack';
import type { AgentConditions as _lattice_agent_v1_AgentConditions, AgentConditions__Output as _lattice_agent_v1_AgentConditions__Output } from './lattice/agent/v1/AgentConditions';
import type { AgentMessage as _lattice_agent_v1_AgentMessage, AgentMessage__Output as _lattice_agent_v1_AgentMessage__Output } from './lattice/agent/v1/AgentMessage';
import type { AgentServiceClient as _lattice_agent_v1_AgentServiceClient, AgentServiceDefinition as _lattice_agent_v1_AgentServiceDefinition } from './lattice/agent/v1/AgentService';
import type { AutoscalingDecision as _lattice_agent_v1_AutoscalingDecision, AutoscalingDecision__Output as _lattice_agent_v1_AutoscalingDecision__Output } from './lattice/agent/v1/AutoscalingDecision';
import type { AutoscalingDecisions as _lattice_agent_v1_AutoscalingDecisions, AutoscalingDecisions__Output as _lattice_agent_v1_AutoscalingDecisions__Output } from './lattice/agent/v1/AutoscalingDecisions';
import type { AutoscalingWindow as _lattice_agent_v1_AutoscalingWindow, AutoscalingWindow__Output as _lattice_agent_v1_AutoscalingWindow__Output } from './lattice/agent/v1/AutoscalingWindow';
import type { Condition as _lattice_agent_v1_Condition, Condition__Output as _lattice_agent_v1_Condition__Output } from './lattice/agent/v1/Condition';
import type { ControllerMessage as _lattice_agent_v1_ControllerMessage, ControllerMessage__Output as _lattice_agent_v1_ControllerMessage__Output } from './lattice/agent/v1/ControllerMessage';
import type { DeltaSnapshot as _lattice_agent_v1_DeltaSnapshot, DeltaSnapshot__Output as _lattice_agent_v1_DeltaSnapshot__Output } from './lattice/agent/v1/DeltaSnapshot';
import type { EastWestGatewayService as _lattice_agent_v1_EastWestGatewayService, EastWestGatewayService__Output as _lattice_agent_v1_EastWestGatewayService__Output } from './lattice/agent/v1/EastWestGatewayService';
import type { EndpointGroup as _lattice_agent_v1_EndpointGroup, EndpointGroup__Output as _lattice_agent_v1_EndpointGroup__Output } from './lattice/agent/v1/EndpointGroup';
import type { Heartbeat as _lattice_agent_v1_Heartbeat, Heartbeat__Output as _lattice_agent_v1_Heartbeat__Output } from './lattice/agent/v1/Heartbeat';
import type { HeldResource as _lattice_agent_v1_HeldResource, HeldResource__Output as _lattice_agent_v1_HeldResource__Output } from './lattice/agent/v1/HeldResource';
import type { Hello as _lattice_agent_v1_Hello, Hello__Output as _lattice_agent_v1_Hello__Output } from './lattice/agent/v1/Hello';
import type { IntermediateCsr as _lattice_agent_v1_IntermediateCsr, IntermediateCsr__Output as _lattice_agent_v1_IntermediateCsr__Output } from './lattice/agent/v1/IntermediateCsr';
import type { IntermediateRequest as _lattice_agent_v1_IntermediateRequest, IntermediateRequest__Output as _lattice_agent_v1_IntermediateRequest__Output } from './lattice/agent/v1/IntermediateRequest';
import type { Inventory as _lattice_agent_v1_Inventory, Inventory__Output as _lattice_agent_v1_Inventory__Output } from './lattice/agent/v1/Inventory';
import type { LatencySketch as _lattice_agent_v1_LatencySketch, LatencySketch__Output as _lattice_agent_v1_LatencySketch__Output } from './lattice/agent/v1/LatencySketch';
import type { MeshInstallation as _lattice_agent_v1_MeshInstallation, MeshInstallation__Output as _lattice_agent_v1_MeshInstallation__Output } from './lattice/agent/v1/MeshInstallation';
import type { Nack as _lattice_agent_v1_Nack, Nack__Output as _lattice_agent_v1_Nack__Output } from './lattice/agent/v1/Nack';
import type { Namespace as _lattice_agent_v1_Namespace, Namespace__Output as _lattice_agent_v1_Namespace__Output } from './lattice/agent/v1/Namespace';
import type { NodeLocality as _lattice_agent_v1_NodeLocality, NodeLocality__Output as _lattice_agent_v1_NodeLocality__Output } from './lattice/agent/v1/NodeLocality';
import type { PassthroughGateway as _lattice_agent_v1_PassthroughGateway, PassthroughGateway__Output as _lattice_agent_v1_PassthroughGateway__Output } from './lattice/agent/v1/PassthroughGateway';
import type { Ping as _lattice_agent_v1_Ping, Ping__Output as _lattice_agent_v1_Ping__Output } from './lattice/agent/v1/Ping';
import type { RegisterRequest as _lattice_agent_v1_RegisterRequest, RegisterRequest__Output as _lattice_agent_v1_RegisterRequest__Output } from './lattice/agent/v1/RegisterRequest';
import type { RegisterResponse as _lattice_agent_v1_RegisterResponse, RegisterResponse__Output as _lattice_agent_v1_RegisterResponse__Output } from './lattice/agent/v1/RegisterResponse';
import type { RenewCertificateRequest as _lattice_agent_v1_RenewCertificateRequest, RenewCertificateRequest__Output as _lattice_agent_v1_RenewCertificateRequest__Output } from './lattice/agent/v1/RenewCertificateRequest';
import type { RenewCertificateResponse as _lattice_agent_v1_RenewCertificateResponse, RenewCertificateResponse__Output as _lattice_agent_v1_RenewCertificateResponse__Output } from './lattice/agent/v1/RenewCertificateResponse';
import type { Resource as _lattice_agent_v1_Resource, Resource__Output as _lattice_agent_v1_Resource__Output } from './lattice/agent/v1/Resource';
import type { Service as _lattice_agent_v1_Service, Service__Output as _lattice_agent_v1_Service__Output } from './lattice/agent/v1/Service';
import type { ServicePort as _lattice_agent_v1_ServicePort, ServicePort__Output as _lattice_agent_v1_ServicePort__Output } from './lattice/agent/v1/ServicePort';
import type { ServiceRef as _lattice_agent_v1_ServiceRef, ServiceRef__Output as _lattice_agent_v1_ServiceRef__Output } from './lattice/agent/v1/ServiceRef';
import type { SignedIntermediate as _lattice_agent_v1_SignedIntermediate, SignedIntermediate__Output as _lattice_agent_v1_SignedIntermediate__Output } from './lattice/agent/v1/SignedIntermediate';
import type { Snapshot as _lattice_agent_v1_Snapshot, Snapshot__Output as _lattice_agent_v1_Snapshot__Output } from './lattice/agent/v1/Snapshot';
import type { TelemetryAck as _lattice_agent_v1_TelemetryAck, TelemetryAck__Output as _lattice_agent_v1_TelemetryAck__Output } from './lattice/agent/v1/TelemetryAck';
import type { TelemetryBatch as _lattice_agent_v1_TelemetryBatch, TelemetryBatch__Output as _lattice_agent_v1_TelemetryBatch__Output } from './lattice/agent/v1/TelemetryBatch';
import type { TelemetryItem as _lattice_agent_v1_TelemetryItem, TelemetryItem__Output as _lattice_agent_v1_TelemetryItem__Output } from './lattice/agent/v1/TelemetryItem';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  lattice: {
    agent: {
      v1: {
        Ack: MessageTypeDefinition<_lattice_agent_v1_Ack, _lattice_agent_v1_Ack__Output>
        AgentConditions: MessageTypeDefinition<_lattice_agent_v1_AgentConditions, _lattice_agent_v1_AgentConditions__Output>
        AgentMessage: MessageTypeDefinition<_lattice_agent_v1_AgentMessage, _lattice_agent_v1_AgentMessage__Output>
        AgentService: SubtypeConstructor<typeof grpc.Client, _lattice_agent_v1_AgentServiceClient> & { service: _lattice_agent_v1_AgentServiceDefinition }
        AutoscalingDecision: MessageTypeDefinition<_lattice_agent_v1_AutoscalingDecision, _lattice_agent_v1_AutoscalingDecision__Output>
        AutoscalingDecisions: MessageTypeDefinition<_lattice_agent_v1_AutoscalingDecisions, _lattice_agent_v1_AutoscalingDecisions__Output>
        AutoscalingWindow: MessageTypeDefinition<_lattice_agent_v1_AutoscalingWindow, _lattice_agent_v1_AutoscalingWindow__Output>
        Condition: MessageTypeDefinition<_lattice_agent_v1_Condition, _lattice_agent_v1_Condition__Output>
        ControllerMessage: MessageTypeDefinition<_lattice_agent_v1_ControllerMessage, _lattice_agent_v1_ControllerMessage__Output>
        DeltaSnapshot: MessageTypeDefinition<_lattice_agent_v1_DeltaSnapshot, _lattice_agent_v1_DeltaSnapshot__Output>
        EastWestGatewayService: MessageTypeDefinition<_lattice_agent_v1_EastWestGatewayService, _lattice_agent_v1_EastWestGatewayService__Output>
        EndpointGroup: MessageTypeDefinition<_lattice_agent_v1_EndpointGroup, _lattice_agent_v1_EndpointGroup__Output>
        Heartbeat: MessageTypeDefinition<_lattice_agent_v1_Heartbeat, _lattice_agent_v1_Heartbeat__Output>
        HeldResource: MessageTypeDefinition<_lattice_agent_v1_HeldResource, _lattice_agent_v1_HeldResource__Output>
        Hello: MessageTypeDefinition<_lattice_agent_v1_Hello, _lattice_agent_v1_Hello__Output>
        IntermediateCsr: MessageTypeDefinition<_lattice_agent_v1_IntermediateCsr, _lattice_agent_v1_IntermediateCsr__Output>
        IntermediateRequest: MessageTypeDefinition<_lattice_agent_v1_IntermediateRequest, _lattice_agent_v1_IntermediateRequest__Output>
        Inventory: MessageTypeDefinition<_lattice_agent_v1_Inventory, _lattice_agent_v1_Inventory__Output>
        LatencySketch: MessageTypeDefinition<_lattice_agent_v1_LatencySketch, _lattice_agent_v1_LatencySketch__Output>
        MeshInstallation: MessageTypeDefinition<_lattice_agent_v1_MeshInstallation, _lattice_agent_v1_MeshInstallation__Output>
        Nack: MessageTypeDefinition<_lattice_agent_v1_Nack, _lattice_agent_v1_Nack__Output>
        Namespace: MessageTypeDefinition<_lattice_agent_v1_Namespace, _lattice_agent_v1_Namespace__Output>
        NodeLocality: MessageTypeDefinition<_lattice_agent_v1_NodeLocality, _lattice_agent_v1_NodeLocality__Output>
        PassthroughGateway: MessageTypeDefinition<_lattice_agent_v1_PassthroughGateway, _lattice_agent_v1_PassthroughGateway__Output>
        Ping: MessageTypeDefinition<_lattice_agent_v1_Ping, _lattice_agent_v1_Ping__Output>
        RegisterRequest: MessageTypeDefinition<_lattice_agent_v1_RegisterRequest, _lattice_agent_v1_RegisterRequest__Output>
        RegisterResponse: MessageTypeDefinition<_lattice_agent_v1_RegisterResponse, _lattice_agent_v1_RegisterResponse__Output>
        RenewCertificateRequest: MessageTypeDefinition<_lattice_agent_v1_RenewCertificateRequest, _lattice_agent_v1_RenewCertificateRequest__Output>
        RenewCertificateResponse: MessageTypeDefinition<_lattice_agent_v1_RenewCertificateResponse, _lattice_agent_v1_RenewCertificateResponse__Output>
        Resource: MessageTypeDefinition<_lattice_agent_v1_Resource, _lattice_agent_v1_Resource__Output>
        Service: MessageTypeDefinition<_lattice_agent_v1_Service, _lattice_agent_v1_Service__Output>
        ServicePort: MessageTypeDefinition<_lattice_agent_v1_ServicePort, _lattice_agent_v1_ServicePort__Output>
        ServiceRef: MessageTypeDefinition<_lattice_agent_v1_ServiceRef, _lattice_agent_v1_ServiceRef__Output>
        SignedIntermediate: MessageTypeDefinition<_lattice_agent_v1_SignedIntermediate, _lattice_agent_v1_SignedIntermediate__Output>
        Snapshot: MessageTypeDefinition<_lattice_agent_v1_Snapshot, _lattice_agent_v1_Snapshot__Output>
        TelemetryAck: MessageTypeDefinition<_lattice_agent_v1_TelemetryAck, _lattice_agent_v1_TelemetryAck__Output>
        TelemetryBatch: MessageTypeDefinition<_lattice_agent_v1_TelemetryBatch, _lattice_agent_v1_TelemetryBatch__Output>
        TelemetryItem: MessageTypeDefinition<_lattice_agent_v1_TelemetryItem, _lattice_agent_v1_TelemetryItem__Output>
      }
    }
  }
}

