// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface SignedIntermediate {
  'gnsId'?: (string);
  'certChainPem'?: (string);
  'trustBundlePem'?: (string);
  'rootGeneration'?: (number);
}

export interface SignedIntermediate__Output {
  'gnsId': (string);
  'certChainPem': (string);
  'trustBundlePem': (string);
  'rootGeneration': (number);
}
