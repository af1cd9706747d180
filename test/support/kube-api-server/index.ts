export {
  start,
  type KubeApiServer,
  type ObjectRef,
  type RequestRecord,
  type StartOptions,
  type StoreOps,
} from './server';
export type { FaultHandle, FailStatus, Match } from './faults';
export type { IstioVersion } from './resources';
export type { KubeObject, ManagedFieldsEntry } from './util';
export {
  call,
  endpointFromKubeconfig,
  watch,
  type Endpoint,
  type WatchEvent,
  type WatchHandle,
} from './client';
export { kubeTarget, REAL_CLUSTER_ENV, type KubeTarget } from './target';
export { podMetrics, METRICS_API_TYPES } from './metrics-api';
