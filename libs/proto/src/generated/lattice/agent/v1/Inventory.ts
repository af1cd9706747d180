// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Namespace as _lattice_agent_v1_Namespace, Namespace__Output as _lattice_agent_v1_Namespace__Output } from './Namespace';
import type { Service as _lattice_agent_v1_Service, Service__Output as _lattice_agent_v1_Service__Output } from './Service';
import type { ServiceRef as _lattice_agent_v1_ServiceRef, ServiceRef__Output as _lattice_agent_v1_ServiceRef__Output } from './ServiceRef';
import type { Long } from '@grpc/proto-loader';

export interface Inventory {
  'full'?: (boolean);
  'namespaces'?: (_lattice_agent_v1_Namespace)[];
  'services'?: (_lattice_agent_v1_Service)[];
  'removedNamespaces'?: (string)[];
  'removedServices'?: (_lattice_agent_v1_ServiceRef)[];
  'revision'?: (number | string | Long);
}

export interface Inventory__Output {
  'full': (boolean);
  'namespaces': (_lattice_agent_v1_Namespace__Output)[];
  'services': (_lattice_agent_v1_Service__Output)[];
  'removedNamespaces': (string)[];
  'removedServices': (_lattice_agent_v1_ServiceRef__Output)[];
  'revision': (number);
}
