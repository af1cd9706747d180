import { formatDuration, parseDurationMs } from '../durations';
import type { FaultSpec, RetrySpec, TrafficPolicySpec } from '../policy-spec';

/** Canonical durations, default route names and weights: what is stored and distributed. */
export function normalizeTrafficPolicy(spec: TrafficPolicySpec): TrafficPolicySpec {
  const policy: TrafficPolicySpec = {};
  if (spec.subsets)
    policy.subsets = spec.subsets.map((subset) => ({ name: subset.name, labels: { ...subset.labels } }));
  if (spec.routes) {
    policy.routes = spec.routes.map((route, index) => ({
      name: route.name ?? `route-${index}`,
      ...(route.match ? { match: route.match } : {}),
      destinations: route.destinations.map((destination) => ({
        ...(destination.subset !== undefined ? { subset: destination.subset } : {}),
        weight: destination.weight ?? 100,
      })),
      ...(route.timeout !== undefined ? { timeout: canonical(route.timeout) } : {}),
      ...(route.retries ? { retries: normalizeRetries(route.retries) } : {}),
      ...(route.fault ? { fault: normalizeFault(route.fault) } : {}),
    }));
  }
  if (spec.timeout !== undefined) policy.timeout = canonical(spec.timeout);
  if (spec.retries) policy.retries = normalizeRetries(spec.retries);
  if (spec.fault) policy.fault = normalizeFault(spec.fault);
  if (spec.connectionPool) {
    policy.connectionPool = {
      ...(spec.connectionPool.tcp
        ? {
            tcp: {
              ...spec.connectionPool.tcp,
              ...(spec.connectionPool.tcp.connectTimeout !== undefined
                ? { connectTimeout: canonical(spec.connectionPool.tcp.connectTimeout) }
                : {}),
            },
          }
        : {}),
      ...(spec.connectionPool.http ? { http: { ...spec.connectionPool.http } } : {}),
    };
  }
  if (spec.outlierDetection) {
    policy.outlierDetection = {
      ...spec.outlierDetection,
      interval: canonical(spec.outlierDetection.interval),
      baseEjectionTime: canonical(spec.outlierDetection.baseEjectionTime),
    };
  }
  if (spec.failover) policy.failover = [...spec.failover];
  return policy;
}

/** Only called on durations the checks accepted. */
const canonical = (value: string): string => formatDuration(parseDurationMs(value) as number);

function normalizeRetries(retries: RetrySpec): RetrySpec {
  return {
    attempts: retries.attempts,
    ...(retries.perTryTimeout !== undefined ? { perTryTimeout: canonical(retries.perTryTimeout) } : {}),
    ...(retries.retryOn !== undefined ? { retryOn: [...retries.retryOn] } : {}),
  };
}

function normalizeFault(fault: FaultSpec): FaultSpec {
  return {
    ...(fault.delay
      ? { delay: { fixedDelay: canonical(fault.delay.fixedDelay), percentage: fault.delay.percentage } }
      : {}),
    ...(fault.abort ? { abort: { ...fault.abort } } : {}),
  };
}
