// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface RegisterResponse {
  'clusterId'?: (string);
  'tenantId'?: (string);
  'certificatePem'?: (string);
  'caBundlePem'?: (string);
  'notAfterUnixMs'?: (number | string | Long);
}

export interface RegisterResponse__Output {
  'clusterId': (string);
  'tenantId': (string);
  'certificatePem': (string);
  'caBundlePem': (string);
  'notAfterUnixMs': (number);
}
