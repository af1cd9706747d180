// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Hello {
  'clusterId'?: (string);
  'appliedVersion'?: (number | string | Long);
  'agentVersion'?: (string);
}

export interface Hello__Output {
  'clusterId': (string);
  'appliedVersion': (number);
  'agentVersion': (string);
}
