// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface IntermediateCsr {
  'gnsId'?: (string);
  'csrPem'?: (string);
  'rootGeneration'?: (number);
}

export interface IntermediateCsr__Output {
  'gnsId': (string);
  'csrPem': (string);
  'rootGeneration': (number);
}
