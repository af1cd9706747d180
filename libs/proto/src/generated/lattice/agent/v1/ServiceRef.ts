// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface ServiceRef {
  'namespace'?: (string);
  'name'?: (string);
}

export interface ServiceRef__Output {
  'namespace': (string);
  'name': (string);
}
