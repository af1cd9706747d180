import type { FieldError } from '../errors';
import { isDnsLabel } from '../gns/gns-identity';
import { durationProblem, formatDuration, parseDurationMs } from './durations';
import {
  routedSubsets,
  selects,
  splitInstance,
  type GnsPolicyContext,
  type ServicePlacement,
} from './policy-context';
import { parseTrafficPolicyShape } from './policy-schema';
import type {
  FaultSpec,
  HttpRouteSpec,
  RequestMatch,
  RetrySpec,
  StringMatch,
  SubsetSpec,
  TrafficPolicySpec,
} from './policy-spec';

export interface PolicyValidation<T> {
  /** Refuse the policy when not empty. */
  errors: FieldError[];
  /** Accepted, but the user should know (e.g. a subset no pod carries yet). */
  warnings: FieldError[];
  /** The normalised policy (canonical durations, default names and weights) when there are no errors. */
  policy?: T;
}

/** HTTP/2 header names: lowercase tokens (Envoy lowercases them, so `X-User` would never match). */
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
/** Envoy's retry conditions (x-envoy-retry-on and x-envoy-retry-grpc-on) that Istio passes through. */
export const RETRY_CONDITIONS = [
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'envoy-ratelimited',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
];

const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTP2', 'GRPC']);
const MS = 1;
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Bounds that catch typos ("5h" for "5s") without getting in the way of real settings. */
const BOUNDS = {
  timeout: { min: 1 * MS, max: 1 * HOUR },
  perTryTimeout: { min: 1 * MS, max: 1 * HOUR },
  fixedDelay: { min: 1 * MS, max: 1 * HOUR },
  connectTimeout: { min: 1 * MS, max: 5 * MINUTE },
  interval: { min: 1 * MS, max: 1 * HOUR },
  baseEjectionTime: { min: 1 * MS, max: 24 * HOUR },
};

/**
 * Checks a traffic policy for `service` of one GNS. Errors are what would render a broken or
 * meaningless configuration (weights not summing to 100, unknown subsets, bad durations, a service
 * or cluster outside the GNS, unreachable routes). A subset that no running pod carries yet is a
 * warning: blue/green and canaries are commonly set up before the new version is deployed, and the
 * inventory changes on its own; requests routed there fail (503) until such pods run, which the
 * warning says. So are pods a split instance leaves out, and instances that cannot be split.
 */
export function validateTrafficPolicy(
  service: string,
  input: unknown,
  context: GnsPolicyContext,
): PolicyValidation<TrafficPolicySpec> {
  const shape = parseTrafficPolicyShape(input);
  if (!shape.ok) return { errors: shape.errors, warnings: [] };
  const spec = shape.value;
  const errors: FieldError[] = [];
  const warnings: FieldError[] = [];
  const error = (field: string, message: string) => errors.push({ field, message });

  const placements = context.services.get(service);
  if (!placements) {
    error(
      'service',
      `"${service}" is not a service of global namespace "${context.gnsName}"${knownList(' (its services: ', [...context.services.keys()], ')')}`,
    );
  }

  const hasSetting =
    spec.subsets !== undefined ||
    spec.routes !== undefined ||
    spec.timeout !== undefined ||
    spec.retries !== undefined ||
    spec.fault !== undefined ||
    spec.connectionPool !== undefined ||
    spec.outlierDetection !== undefined ||
    spec.failover !== undefined;
  if (!hasSetting)
    error(
      '(body)',
      'the policy sets nothing: give subsets, routes, timeout, retries, fault, connectionPool, outlierDetection or failover',
    );

  // Subsets
  const subsetNames = new Set<string>();
  (spec.subsets ?? []).forEach((subset, index) => {
    const field = `subsets[${index}]`;
    if (!isDnsLabel(subset.name))
      error(`${field}.name`, `"${subset.name}" must be a DNS label (lowercase letters, digits, "-")`);
    if (subsetNames.has(subset.name)) error(`${field}.name`, `subset "${subset.name}" is defined twice`);
    subsetNames.add(subset.name);
    if (Object.keys(subset.labels).length === 0)
      error(`${field}.labels`, 'must select by at least one label (e.g. {"version": "v2"})');
    const earlier = (spec.subsets ?? [])
      .slice(0, index)
      .findIndex((other) => sameLabels(other.labels, subset.labels));
    if (earlier >= 0 && Object.keys(subset.labels).length > 0)
      error(
        `${field}.labels`,
        `selects the same endpoints as subsets[${earlier}] ("${(spec.subsets ?? [])[earlier].name}")`,
      );
  });
  if (placements)
    warnAboutSubsets(spec.subsets ?? [], routedSubsets(spec.routes ?? []), placements, warnings, service);

  // Routes
  const routes = spec.routes ?? [];
  if (spec.routes !== undefined && routes.length === 0)
    error('routes', 'must hold at least one route (or leave it out)');
  routes.forEach((route, index) => {
    const field = `routes[${index}]`;
    const isLast = index === routes.length - 1;
    const hasMatch = route.match !== undefined && route.match.length > 0;
    if (isLast && hasMatch)
      error(
        `${field}.match`,
        'the last route must have no match: it takes every request the routes before it do not',
      );
    if (!isLast && !hasMatch)
      error(
        `${field}.match`,
        `a route without match takes every request, so routes[${index + 1}] and later would never be used`,
      );
    (route.match ?? []).forEach((match, matchIndex) =>
      checkMatch(`${field}.match[${matchIndex}]`, match, error),
    );
    checkDestinations(field, route, subsetNames, error);
    checkTimeouts(
      field,
      route.timeout ?? spec.timeout,
      route.retries ?? spec.retries,
      error,
      route.timeout !== undefined ? `${field}.timeout` : 'timeout',
    );
    if (route.timeout !== undefined) checkDuration(`${field}.timeout`, route.timeout, BOUNDS.timeout, error);
    if (route.retries !== undefined) checkRetries(`${field}.retries`, route.retries, error);
    if (route.fault !== undefined) checkFault(`${field}.fault`, route.fault, error);
  });
  if (spec.timeout !== undefined) checkDuration('timeout', spec.timeout, BOUNDS.timeout, error);
  if (spec.retries !== undefined) checkRetries('retries', spec.retries, error);
  if (spec.fault !== undefined) checkFault('fault', spec.fault, error);
  if (routes.length === 0) checkTimeouts('', spec.timeout, spec.retries, error, 'timeout');

  // Istio applies VirtualService http routes only to HTTP-speaking ports.
  const routesSomething =
    spec.routes !== undefined ||
    spec.timeout !== undefined ||
    spec.retries !== undefined ||
    spec.fault !== undefined;
  const protocols = context.protocols.get(service);
  if (
    routesSomething &&
    protocols &&
    protocols.length > 0 &&
    !protocols.some((protocol) => HTTP_PROTOCOLS.has(protocol))
  ) {
    warnings.push({
      field:
        spec.routes !== undefined
          ? 'routes'
          : spec.timeout !== undefined
            ? 'timeout'
            : spec.retries !== undefined
              ? 'retries'
              : 'fault',
      message: `${service} has no HTTP, HTTP2 or GRPC port (${protocols.join(', ')}): routes, timeouts, retries and faults apply only to HTTP traffic`,
    });
  }

  // Circuit breaking
  if (spec.connectionPool?.tcp?.connectTimeout !== undefined)
    checkDuration(
      'connectionPool.tcp.connectTimeout',
      spec.connectionPool.tcp.connectTimeout,
      BOUNDS.connectTimeout,
      error,
    );
  const outlier = spec.outlierDetection;
  if (outlier) {
    if (outlier.consecutiveErrors < 1)
      error(
        'outlierDetection.consecutiveErrors',
        'must be at least 1 (leave outlierDetection out to disable it)',
      );
    checkDuration('outlierDetection.interval', outlier.interval, BOUNDS.interval, error);
    checkDuration(
      'outlierDetection.baseEjectionTime',
      outlier.baseEjectionTime,
      BOUNDS.baseEjectionTime,
      error,
    );
  }

  // Failover
  if (spec.failover !== undefined) {
    if (spec.failover.length === 0) error('failover', 'must name at least one cluster (or leave it out)');
    if (!outlier)
      error(
        'failover',
        'needs outlierDetection: Envoy fails over only from endpoints it has ejected as unhealthy',
      );
    const seen = new Set<string>();
    spec.failover.forEach((clusterName, index) => {
      const field = `failover[${index}]`;
      if (seen.has(clusterName)) error(field, `cluster "${clusterName}" is listed twice`);
      seen.add(clusterName);
      if (!context.clusters.has(clusterName)) {
        error(
          field,
          `"${clusterName}" is not a member cluster of global namespace "${context.gnsName}"${knownList(' (members: ', [...context.clusters.keys()], ')')}`,
        );
      } else if (placements && !placements.some((placement) => placement.clusterName === clusterName)) {
        warnings.push({
          field,
          message: `${service} does not run in cluster "${clusterName}" at the moment`,
        });
      }
    });
  }

  if (errors.length > 0) return { errors, warnings };
  return { errors, warnings, policy: normalizeTrafficPolicy(spec) };
}

function warnAboutSubsets(
  subsets: readonly SubsetSpec[],
  routed: ReadonlySet<string>,
  placements: readonly ServicePlacement[],
  warnings: FieldError[],
  service: string,
): void {
  subsets.forEach((subset, index) => {
    if (Object.keys(subset.labels).length === 0) return;
    if (
      placements.some((placement) =>
        placement.endpointGroupLabels.some((labels) => selects(subset.labels, labels)),
      )
    )
      return;
    warnings.push({
      field: `subsets[${index}]`,
      message: `no pod of ${service} is labelled ${labelList(subset.labels)} at the moment; requests routed to this subset fail (503) until one runs`,
    });
  });
  for (const placement of placements) {
    const split = splitInstance(placement.endpointGroupLabels, placement.selector, subsets, routed);
    const where = `${service} in cluster "${placement.clusterName}", namespace "${placement.namespace}"`;
    if (split.unsplittable)
      warnings.push({
        field: 'subsets',
        message: `${where} runs pods of subsets ${split.mixedSubsets.join(', ')} next to other pods behind a Service without a pod selector; Lattice cannot render per-version Services for it, so that instance is in none of them`,
      });
    if (split.uncovered.length > 0)
      warnings.push({
        field: 'subsets',
        message: `${where} is split into per-version Services by subsets ${split.mixedSubsets.join(', ')}; its pods labelled ${split.uncovered.map((labels) => labelList(labels) || '(no app/version label)').join(' and ')} are in none of them and get no traffic through the GNS host while it is split`,
      });
  }
}

function labelList(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

function checkMatch(
  field: string,
  match: RequestMatch,
  error: (field: string, message: string) => void,
): void {
  if (match.headers === undefined && match.path === undefined && match.method === undefined)
    error(field, 'must hold at least one of headers, path, method');
  for (const [name, value] of Object.entries(match.headers ?? {})) {
    if (!HEADER_NAME.test(name))
      error(
        `${field}.headers.${name}`,
        'header names must be lowercase tokens (Envoy lowercases header names before matching)',
      );
    checkStringMatch(`${field}.headers.${name}`, value, error);
  }
  if (match.path !== undefined) {
    checkStringMatch(`${field}.path`, match.path, error);
    const literal =
      'exact' in match.path ? match.path.exact : 'prefix' in match.path ? match.path.prefix : undefined;
    if (literal !== undefined && !literal.startsWith('/')) error(`${field}.path`, 'must start with "/"');
  }
  if (match.method !== undefined && !HTTP_METHODS.includes(match.method))
    error(`${field}.method`, `"${match.method}" is not an HTTP method (${HTTP_METHODS.join(', ')})`);
}

function checkStringMatch(
  field: string,
  value: StringMatch,
  error: (field: string, message: string) => void,
): void {
  if (!('regex' in value)) return;
  // Envoy matches with RE2: no lookaround, no backreferences.
  if (/\(\?[=!<]|\\[1-9]/.test(value.regex)) {
    error(field, 'lookarounds and backreferences are not supported (Envoy uses RE2)');
    return;
  }
  try {
    new RegExp(value.regex);
  } catch (caught) {
    error(
      field,
      `is not a valid regular expression: ${caught instanceof Error ? caught.message : String(caught)}`,
    );
  }
}

function checkDestinations(
  field: string,
  route: HttpRouteSpec,
  subsets: ReadonlySet<string>,
  error: (field: string, message: string) => void,
): void {
  const destinations = route.destinations;
  if (destinations.length === 0) {
    error(`${field}.destinations`, 'must hold at least one destination');
    return;
  }
  const seen = new Set<string>();
  destinations.forEach((destination, index) => {
    const at = `${field}.destinations[${index}]`;
    if (destination.subset !== undefined && !subsets.has(destination.subset))
      error(
        `${at}.subset`,
        `unknown subset "${destination.subset}"${knownList(' (defined: ', [...subsets], ')') || ' (the policy defines no subsets)'}`,
      );
    const key = destination.subset ?? '';
    if (seen.has(key))
      error(
        `${at}.subset`,
        `${destination.subset === undefined ? 'the whole service' : `subset "${destination.subset}"`} is a destination twice`,
      );
    seen.add(key);
    if (destination.weight !== undefined && (destination.weight < 0 || destination.weight > 100))
      error(`${at}.weight`, 'must be between 0 and 100');
  });
  if (destinations.length === 1) {
    const weight = destinations[0].weight;
    if (weight !== undefined && weight !== 100)
      error(
        `${field}.destinations[0].weight`,
        `a single destination takes all traffic: weight must be 100 (or left out), not ${weight}`,
      );
    return;
  }
  const missing = destinations.findIndex((destination) => destination.weight === undefined);
  if (missing >= 0) {
    error(`${field}.destinations[${missing}].weight`, 'is required when a route has several destinations');
    return;
  }
  const sum = destinations.reduce((total, destination) => total + (destination.weight ?? 0), 0);
  if (sum !== 100) error(`${field}.destinations`, `weights sum to ${sum}; they must sum to 100`);
}

function checkTimeouts(
  field: string,
  timeout: string | undefined,
  retries: RetrySpec | undefined,
  error: (field: string, message: string) => void,
  timeoutField: string,
): void {
  if (timeout === undefined || retries?.perTryTimeout === undefined) return;
  const total = parseDurationMs(timeout);
  const perTry = parseDurationMs(retries.perTryTimeout);
  if (total !== null && perTry !== null && perTry > total) {
    error(
      field === '' ? 'retries.perTryTimeout' : `${field}.retries.perTryTimeout`,
      `${retries.perTryTimeout} is longer than the timeout ${timeout} (${timeoutField}): no retry could ever happen`,
    );
  }
}

function checkRetries(
  field: string,
  retries: RetrySpec,
  error: (field: string, message: string) => void,
): void {
  if (retries.perTryTimeout !== undefined)
    checkDuration(`${field}.perTryTimeout`, retries.perTryTimeout, BOUNDS.perTryTimeout, error);
  (retries.retryOn ?? []).forEach((condition, index) => {
    if (!RETRY_CONDITIONS.includes(condition) && !/^[1-5]\d\d$/.test(condition))
      error(
        `${field}.retryOn[${index}]`,
        `"${condition}" is not a retry condition (${RETRY_CONDITIONS.join(', ')}, or a status code such as 503)`,
      );
  });
  if (retries.attempts === 0 && (retries.perTryTimeout !== undefined || retries.retryOn !== undefined))
    error(`${field}.attempts`, '0 disables retries, so perTryTimeout and retryOn would have no effect');
}

function checkFault(field: string, fault: FaultSpec, error: (field: string, message: string) => void): void {
  if (fault.delay === undefined && fault.abort === undefined)
    error(field, 'must hold a delay, an abort or both');
  if (fault.delay !== undefined)
    checkDuration(`${field}.delay.fixedDelay`, fault.delay.fixedDelay, BOUNDS.fixedDelay, error);
  if (fault.abort !== undefined && (fault.abort.httpStatus < 400 || fault.abort.httpStatus > 599))
    error(`${field}.abort.httpStatus`, `${fault.abort.httpStatus} is not an HTTP error status (400..599)`);
}

function checkDuration(
  field: string,
  value: string,
  bounds: { min: number; max: number },
  error: (field: string, message: string) => void,
): void {
  const problem = durationProblem(value, bounds);
  if (problem !== null) error(field, problem);
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

function knownList(prefix: string, items: readonly string[], suffix: string): string {
  return items.length === 0 ? '' : `${prefix}${[...items].sort().join(', ')}${suffix}`;
}

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

/** Canonical durations, default route names and weights: what is stored and distributed. */
function normalizeTrafficPolicy(spec: TrafficPolicySpec): TrafficPolicySpec {
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
