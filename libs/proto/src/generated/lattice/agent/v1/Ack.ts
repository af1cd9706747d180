// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Ack {
  'version'?: (number | string | Long);
}

export interface Ack__Output {
  'version': (number);
}
