// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface ServicePort {
  'name'?: (string);
  'port'?: (number);
  'protocol'?: (string);
  'targetPort'?: (number);
}

export interface ServicePort__Output {
  'name': (string);
  'port': (number);
  'protocol': (string);
  'targetPort': (number);
}
