// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface Namespace {
  'name'?: (string);
  'labels'?: ({[key: string]: string});
}

export interface Namespace__Output {
  'name': (string);
  'labels': ({[key: string]: string});
}
