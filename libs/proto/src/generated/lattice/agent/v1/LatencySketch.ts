// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface LatencySketch {
  'relativeAccuracy'?: (number | string);
  'offset'?: (number);
  'counts'?: (number | string | Long)[];
  'zeroCount'?: (number | string | Long);
  'min'?: (number | string);
  'max'?: (number | string);
  'sum'?: (number | string);
}

export interface LatencySketch__Output {
  'relativeAccuracy': (number);
  'offset': (number);
  'counts': (number)[];
  'zeroCount': (number);
  'min': (number);
  'max': (number);
  'sum': (number);
}
