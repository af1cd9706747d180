/**
 * Traffic and security policies as editors write them (REST/GraphQL bodies, stored as JSON).
 * Validated by validateTrafficPolicy / validateSecurityPolicy, then resolved into the
 * DesiredTrafficPolicy / DesiredSecurityPolicy of each cluster's snapshot.
 */
import type { MtlsMode } from '../mtls-mode';

export type StringMatch = { exact: string } | { prefix: string } | { regex: string };

/** One request match; every given condition must hold (AND). A route's matches are OR-ed. */
export interface RequestMatch {
  headers?: Record<string, StringMatch>;
  path?: StringMatch;
  /** HTTP method, e.g. GET. */
  method?: string;
}

export interface SubsetSpec {
  /** DNS label; also part of the SNI the east-west gateway routes on. */
  name: string;
  /** Endpoint labels (pod labels such as `version`) selecting the subset. */
  labels: Record<string, string>;
}

export interface RouteDestinationSpec {
  /** A subset from `subsets`; omitted: the whole service. */
  subset?: string;
  /** Percent; the weights of one route sum to 100. Optional for a single destination. */
  weight?: number;
}

export interface RetrySpec {
  attempts: number;
  perTryTimeout?: string;
  /** Envoy retry conditions, e.g. `5xx`, `connect-failure`, `reset`, or a status code like `503`. */
  retryOn?: string[];
}

export interface FaultSpec {
  delay?: { fixedDelay: string; percentage: number };
  abort?: { httpStatus: number; percentage: number };
}

export interface HttpRouteSpec {
  /** Shown in Envoy's stats and logs; defaults to `route-<index>`. */
  name?: string;
  /** Requests matching any entry take this route; the last route has none (it takes the rest). */
  match?: RequestMatch[];
  destinations: RouteDestinationSpec[];
  /** Override the policy-wide timeout / retries / fault for this route. */
  timeout?: string;
  retries?: RetrySpec;
  fault?: FaultSpec;
}

export interface ConnectionPoolSpec {
  tcp?: { maxConnections?: number; connectTimeout?: string };
  http?: {
    http1MaxPendingRequests?: number;
    http2MaxRequests?: number;
    maxRequestsPerConnection?: number;
    maxRetries?: number;
  };
}

export interface OutlierDetectionSpec {
  /** Consecutive 5xx / gateway errors before a host is ejected. */
  consecutiveErrors: number;
  interval: string;
  baseEjectionTime: string;
  maxEjectionPercent: number;
}

export interface TrafficPolicySpec {
  subsets?: SubsetSpec[];
  /** Evaluated in order; omitted: one route to the whole service (carrying timeout/retries/fault). */
  routes?: HttpRouteSpec[];
  timeout?: string;
  retries?: RetrySpec;
  fault?: FaultSpec;
  connectionPool?: ConnectionPoolSpec;
  outlierDetection?: OutlierDetectionSpec;
  /**
   * Cluster names in failover order. Each client prefers its own cluster, then these in order,
   * then any other; needs outlierDetection (Envoy only fails over from hosts it has ejected).
   */
  failover?: string[];
}

export type AccessAction = 'ALLOW' | 'DENY';

export interface AccessRuleSpec {
  /** Defaults to `rule-<index>`. */
  name?: string;
  action: AccessAction;
  /** Calling GNS services; `*` is any workload of the GNS trust domain. */
  from: string[];
  /** The called GNS service. */
  to: string;
  methods?: string[];
  /** Exact paths, or prefixes ending in `*` (Istio's syntax). */
  paths?: string[];
}

/** How a GNS service is identified and selected; every field has a default. */
export interface ServiceSecuritySpec {
  service: string;
  /** Omitted: the GNS mTLS mode. */
  mtlsMode?: MtlsMode;
  /** Kubernetes service account of its workloads; default: the service name. */
  serviceAccount?: string;
  /** Pod labels that select its workloads; default `{ app: <service> }`. */
  workloadLabels?: Record<string, string>;
}

export interface SecurityPolicySpec {
  /** DENY: only what an ALLOW rule permits reaches GNS workloads. */
  defaultAction: AccessAction;
  services?: ServiceSecuritySpec[];
  rules?: AccessRuleSpec[];
}
