// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface RegisterRequest {
  'bootstrapToken'?: (string);
  'clusterName'?: (string);
  'csrPem'?: (string);
  'agentVersion'?: (string);
}

export interface RegisterRequest__Output {
  'bootstrapToken': (string);
  'clusterName': (string);
  'csrPem': (string);
  'agentVersion': (string);
}
