// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { ServicePort as _lattice_agent_v1_ServicePort, ServicePort__Output as _lattice_agent_v1_ServicePort__Output } from './ServicePort';
import type { EndpointGroup as _lattice_agent_v1_EndpointGroup, EndpointGroup__Output as _lattice_agent_v1_EndpointGroup__Output } from './EndpointGroup';

export interface Service {
  'namespace'?: (string);
  'name'?: (string);
  'labels'?: ({[key: string]: string});
  'ports'?: (_lattice_agent_v1_ServicePort)[];
  'endpointGroups'?: (_lattice_agent_v1_EndpointGroup)[];
  'selector'?: ({[key: string]: string});
}

export interface Service__Output {
  'namespace': (string);
  'name': (string);
  'labels': ({[key: string]: string});
  'ports': (_lattice_agent_v1_ServicePort__Output)[];
  'endpointGroups': (_lattice_agent_v1_EndpointGroup__Output)[];
  'selector': ({[key: string]: string});
}
