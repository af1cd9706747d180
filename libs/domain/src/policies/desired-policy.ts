/**
 * Policies as they travel in a snapshot (DesiredGlobalNamespace.trafficPolicies / securityPolicy):
 * validated, defaults applied, durations canonical, services resolved to SPIFFE principals, so
 * the agent renders without knowing the GNS membership.
 */
import type { MtlsMode } from '../mtls-mode';
import type {
  AccessAction,
  ConnectionPoolSpec,
  FaultSpec,
  OutlierDetectionSpec,
  RequestMatch,
  RetrySpec,
  SubsetSpec,
} from './policy-spec';

export interface DesiredHttpRoute {
  name: string;
  match?: RequestMatch[];
  destinations: { subset?: string; weight: number }[];
  timeout?: string;
  retries?: RetrySpec;
  fault?: FaultSpec;
}

export interface DesiredTrafficPolicy {
  /** GNS service name; the host is `<service>.<gns domain>`. */
  service: string;
  subsets: SubsetSpec[];
  /** Empty: no VirtualService (only DestinationRule settings). */
  routes: DesiredHttpRoute[];
  connectionPool?: ConnectionPoolSpec;
  outlierDetection?: OutlierDetectionSpec;
  /** Cluster names in failover order. */
  failover?: string[];
}

export interface DesiredServiceSecurity {
  service: string;
  mtlsMode?: MtlsMode;
  workloadLabels: Record<string, string>;
}

export interface DesiredAccessRule {
  name: string;
  action: AccessAction;
  to: string;
  /** Istio principals (SPIFFE ids without `spiffe://`), e.g. `shop.lattice.local/ns/shop/sa/cart`. */
  fromPrincipals: string[];
  methods?: string[];
  paths?: string[];
}

export interface DesiredSecurityPolicy {
  defaultAction: AccessAction;
  /** Every service with an mTLS override or named as a rule's `to`. */
  services: DesiredServiceSecurity[];
  rules: DesiredAccessRule[];
}
