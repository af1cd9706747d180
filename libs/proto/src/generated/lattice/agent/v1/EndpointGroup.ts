// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface EndpointGroup {
  'labels'?: ({[key: string]: string});
  'ready'?: (number);
  'notReady'?: (number);
}

export interface EndpointGroup__Output {
  'labels': ({[key: string]: string});
  'ready': (number);
  'notReady': (number);
}
