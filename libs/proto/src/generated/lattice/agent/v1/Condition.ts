// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Condition {
  'type'?: (string);
  'status'?: (string);
  'reason'?: (string);
  'message'?: (string);
  'lastTransitionUnixMs'?: (number | string | Long);
}

export interface Condition__Output {
  'type': (string);
  'status': (string);
  'reason': (string);
  'message': (string);
  'lastTransitionUnixMs': (number);
}
