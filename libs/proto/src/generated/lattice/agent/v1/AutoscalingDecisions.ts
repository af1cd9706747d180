// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { AutoscalingDecision as _lattice_agent_v1_AutoscalingDecision, AutoscalingDecision__Output as _lattice_agent_v1_AutoscalingDecision__Output } from './AutoscalingDecision';

export interface AutoscalingDecisions {
  'decisions'?: (_lattice_agent_v1_AutoscalingDecision)[];
}

export interface AutoscalingDecisions__Output {
  'decisions': (_lattice_agent_v1_AutoscalingDecision__Output)[];
}
