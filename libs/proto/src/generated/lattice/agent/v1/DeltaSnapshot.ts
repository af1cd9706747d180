// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Resource as _lattice_agent_v1_Resource, Resource__Output as _lattice_agent_v1_Resource__Output } from './Resource';
import type { Long } from '@grpc/proto-loader';

export interface DeltaSnapshot {
  'version'?: (number | string | Long);
  'baseVersion'?: (number | string | Long);
  'format'?: (string);
  'resources'?: (_lattice_agent_v1_Resource)[];
  'removed'?: (string)[];
  'stateChecksum'?: (string);
}

export interface DeltaSnapshot__Output {
  'version': (number);
  'baseVersion': (number);
  'format': (string);
  'resources': (_lattice_agent_v1_Resource__Output)[];
  'removed': (string)[];
  'stateChecksum': (string);
}
