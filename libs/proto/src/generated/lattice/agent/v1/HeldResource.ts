// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface HeldResource {
  'name'?: (string);
  'hash'?: (string);
}

export interface HeldResource__Output {
  'name': (string);
  'hash': (string);
}
