// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface NodeLocality {
  'region'?: (string);
  'zone'?: (string);
  'nodes'?: (number);
}

export interface NodeLocality__Output {
  'region': (string);
  'zone': (string);
  'nodes': (number);
}
