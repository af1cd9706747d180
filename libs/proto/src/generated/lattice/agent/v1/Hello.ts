// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { HeldResource as _lattice_agent_v1_HeldResource, HeldResource__Output as _lattice_agent_v1_HeldResource__Output } from './HeldResource';
import type { Long } from '@grpc/proto-loader';

export interface Hello {
  'clusterId'?: (string);
  'appliedVersion'?: (number | string | Long);
  'agentVersion'?: (string);
  'supportsDelta'?: (boolean);
  'heldResources'?: (_lattice_agent_v1_HeldResource)[];
}

export interface Hello__Output {
  'clusterId': (string);
  'appliedVersion': (number);
  'agentVersion': (string);
  'supportsDelta': (boolean);
  'heldResources': (_lattice_agent_v1_HeldResource__Output)[];
}
