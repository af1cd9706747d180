// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface IntermediateRequest {
  'gnsId'?: (string);
  'subjectCommonName'?: (string);
  'rootGeneration'?: (number);
}

export interface IntermediateRequest__Output {
  'gnsId': (string);
  'subjectCommonName': (string);
  'rootGeneration': (number);
}
