// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface RenewCertificateRequest {
  'csrPem'?: (string);
}

export interface RenewCertificateRequest__Output {
  'csrPem': (string);
}
