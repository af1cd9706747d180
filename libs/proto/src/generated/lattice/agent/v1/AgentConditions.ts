// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { Condition as _lattice_agent_v1_Condition, Condition__Output as _lattice_agent_v1_Condition__Output } from './Condition';

export interface AgentConditions {
  'conditions'?: (_lattice_agent_v1_Condition)[];
}

export interface AgentConditions__Output {
  'conditions': (_lattice_agent_v1_Condition__Output)[];
}
