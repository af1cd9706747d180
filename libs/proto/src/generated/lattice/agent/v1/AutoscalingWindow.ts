// Original file: libs/proto/lattice/agent/v1/agent.proto


export interface AutoscalingWindow {
  'trigger'?: (string);
  'scaleUp'?: (number | string);
  'scaleDown'?: (number | string);
  'samples'?: (number);
  'min'?: (number | string);
  'max'?: (number | string);
  'avg'?: (number | string);
  'verdict'?: (string);
}

export interface AutoscalingWindow__Output {
  'trigger': (string);
  'scaleUp': (number);
  'scaleDown': (number);
  'samples': (number);
  'min': (number);
  'max': (number);
  'avg': (number);
  'verdict': (string);
}
