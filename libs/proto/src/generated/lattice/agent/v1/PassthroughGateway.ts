// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface PassthroughGateway {
  'namespace'?: (string);
  'name'?: (string);
  'selector'?: ({[key: string]: string});
  'hosts'?: (string)[];
}

export interface PassthroughGateway__Output {
  'namespace': (string);
  'name': (string);
  'selector': ({[key: string]: string});
  'hosts': (string)[];
}
