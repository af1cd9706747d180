// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { AutoscalingWindow as _lattice_agent_v1_AutoscalingWindow, AutoscalingWindow__Output as _lattice_agent_v1_AutoscalingWindow__Output } from './AutoscalingWindow';
import type { Long } from '@grpc/proto-loader';

export interface AutoscalingDecision {
  'decisionId'?: (string);
  'policyId'?: (string);
  'policyVersion'?: (number);
  'gnsId'?: (string);
  'service'?: (string);
  'targetKind'?: (string);
  'targetNamespace'?: (string);
  'targetName'?: (string);
  'decidedAtUnixMs'?: (number | string | Long);
  'action'?: (string);
  'outcome'?: (string);
  'fromReplicas'?: (number);
  'toReplicas'?: (number);
  'rule'?: (string);
  'blockedBy'?: (string);
  'windows'?: (_lattice_agent_v1_AutoscalingWindow)[];
}

export interface AutoscalingDecision__Output {
  'decisionId': (string);
  'policyId': (string);
  'policyVersion': (number);
  'gnsId': (string);
  'service': (string);
  'targetKind': (string);
  'targetNamespace': (string);
  'targetName': (string);
  'decidedAtUnixMs': (number);
  'action': (string);
  'outcome': (string);
  'fromReplicas': (number);
  'toReplicas': (number);
  'rule': (string);
  'blockedBy': (string);
  'windows': (_lattice_agent_v1_AutoscalingWindow__Output)[];
}
