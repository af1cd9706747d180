// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Snapshot {
  'version'?: (number | string | Long);
  'format'?: (string);
  'payload'?: (Buffer | Uint8Array | string);
  'checksum'?: (string);
}

export interface Snapshot__Output {
  'version': (number);
  'format': (string);
  'payload': (Buffer);
  'checksum': (string);
}
