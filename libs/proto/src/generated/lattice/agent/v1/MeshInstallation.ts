// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { EastWestGatewayService as _lattice_agent_v1_EastWestGatewayService, EastWestGatewayService__Output as _lattice_agent_v1_EastWestGatewayService__Output } from './EastWestGatewayService';
import type { NodeLocality as _lattice_agent_v1_NodeLocality, NodeLocality__Output as _lattice_agent_v1_NodeLocality__Output } from './NodeLocality';
import type { PassthroughGateway as _lattice_agent_v1_PassthroughGateway, PassthroughGateway__Output as _lattice_agent_v1_PassthroughGateway__Output } from './PassthroughGateway';

export interface MeshInstallation {
  'meshConfigFound'?: (boolean);
  'meshConfigName'?: (string);
  'trustDomain'?: (string);
  'trustDomainAliases'?: (string)[];
  'dnsCapture'?: (boolean);
  'dnsAutoAllocate'?: (boolean);
  'network'?: (string);
  'eastWestGateway'?: (_lattice_agent_v1_EastWestGatewayService | null);
  'istioVersion'?: (string);
  'revision'?: (string);
  'localities'?: (_lattice_agent_v1_NodeLocality)[];
  'problems'?: (string)[];
  'source'?: (string);
  'passthroughGateways'?: (_lattice_agent_v1_PassthroughGateway)[];
  'passthroughGatewaysRead'?: (boolean);
}

export interface MeshInstallation__Output {
  'meshConfigFound': (boolean);
  'meshConfigName': (string);
  'trustDomain': (string);
  'trustDomainAliases': (string)[];
  'dnsCapture': (boolean);
  'dnsAutoAllocate': (boolean);
  'network': (string);
  'eastWestGateway': (_lattice_agent_v1_EastWestGatewayService__Output | null);
  'istioVersion': (string);
  'revision': (string);
  'localities': (_lattice_agent_v1_NodeLocality__Output)[];
  'problems': (string)[];
  'source': (string);
  'passthroughGateways': (_lattice_agent_v1_PassthroughGateway__Output)[];
  'passthroughGatewaysRead': (boolean);
}
