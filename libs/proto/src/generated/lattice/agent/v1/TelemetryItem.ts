// Original file: libs/proto/lattice/agent/v1/agent.proto

import type { LatencySketch as _lattice_agent_v1_LatencySketch, LatencySketch__Output as _lattice_agent_v1_LatencySketch__Output } from './LatencySketch';
import type { Long } from '@grpc/proto-loader';

export interface TelemetryItem {
  'minuteUnixMs'?: (number | string | Long);
  'sourceNamespace'?: (string);
  'sourceService'?: (string);
  'destinationNamespace'?: (string);
  'destinationService'?: (string);
  'requests'?: (number | string | Long);
  'errors'?: (number | string | Long);
  'latency'?: (_lattice_agent_v1_LatencySketch | null);
  'sourceCluster'?: (string);
  'latencyPacked'?: (Buffer | Uint8Array | string);
}

export interface TelemetryItem__Output {
  'minuteUnixMs': (number);
  'sourceNamespace': (string);
  'sourceService': (string);
  'destinationNamespace': (string);
  'destinationService': (string);
  'requests': (number);
  'errors': (number);
  'latency': (_lattice_agent_v1_LatencySketch__Output | null);
  'sourceCluster': (string);
  'latencyPacked': (Buffer);
}
