// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Nack {
  'version'?: (number | string | Long);
  'reason'?: (string);
}

export interface Nack__Output {
  'version': (number);
  'reason': (string);
}
