// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Heartbeat {
  'sentAtUnixMs'?: (number | string | Long);
}

export interface Heartbeat__Output {
  'sentAtUnixMs': (number);
}
