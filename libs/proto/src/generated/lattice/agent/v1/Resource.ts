// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface Resource {
  'name'?: (string);
  'hash'?: (string);
  'payload'?: (Buffer | Uint8Array | string);
}

export interface Resource__Output {
  'name': (string);
  'hash': (string);
  'payload': (Buffer);
}
