// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface EastWestGatewayService {
  'namespace'?: (string);
  'name'?: (string);
  'addresses'?: (string)[];
  'ports'?: (number)[];
  'selector'?: (string);
}

export interface EastWestGatewayService__Output {
  'namespace': (string);
  'name': (string);
  'addresses': (string)[];
  'ports': (number)[];
  'selector': (string);
}
