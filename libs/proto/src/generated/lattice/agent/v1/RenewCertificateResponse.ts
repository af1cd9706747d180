// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface RenewCertificateResponse {
  'certificatePem'?: (string);
  'caBundlePem'?: (string);
  'notAfterUnixMs'?: (number | string | Long);
}

export interface RenewCertificateResponse__Output {
  'certificatePem': (string);
  'caBundlePem': (string);
  'notAfterUnixMs': (number);
}
