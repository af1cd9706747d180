import type { TrafficPolicySpec } from '../policy-spec';
import { checkDestinations } from './check-destinations';
import { checkFault } from './check-fault';
import { checkMatch } from './check-matches';
import { checkRetries, checkTimeout, checkTimeoutAgainstRetries } from './check-timeouts';
import type { Findings } from './findings';

const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTP2', 'GRPC']);

/**
 * The HTTP routes in order (only the last one catches everything), each with its matches,
 * destinations and own timeout, retries and fault; then the service-wide timeout, retries and
 * fault the routes fall back to.
 */
export function checkRoutes(spec: TrafficPolicySpec, subsets: ReadonlySet<string>, findings: Findings): void {
  const routes = spec.routes ?? [];
  if (spec.routes !== undefined && routes.length === 0)
    findings.error('routes', 'must hold at least one route (or leave it out)');
  routes.forEach((route, index) => {
    const field = `routes[${index}]`;
    const isLast = index === routes.length - 1;
    const hasMatch = route.match !== undefined && route.match.length > 0;
    if (isLast && hasMatch)
      findings.error(
        `${field}.match`,
        'the last route must have no match: it takes every request the routes before it do not',
      );
    if (!isLast && !hasMatch)
      findings.error(
        `${field}.match`,
        `a route without match takes every request, so routes[${index + 1}] and later would never be used`,
      );
    (route.match ?? []).forEach((match, matchIndex) =>
      checkMatch(`${field}.match[${matchIndex}]`, match, findings),
    );
    checkDestinations(field, route, subsets, findings);
    checkTimeoutAgainstRetries(
      field,
      route.timeout ?? spec.timeout,
      route.retries ?? spec.retries,
      route.timeout !== undefined ? `${field}.timeout` : 'timeout',
      findings,
    );
    if (route.timeout !== undefined) checkTimeout(`${field}.timeout`, route.timeout, findings);
    if (route.retries !== undefined) checkRetries(`${field}.retries`, route.retries, findings);
    if (route.fault !== undefined) checkFault(`${field}.fault`, route.fault, findings);
  });
  if (spec.timeout !== undefined) checkTimeout('timeout', spec.timeout, findings);
  if (spec.retries !== undefined) checkRetries('retries', spec.retries, findings);
  if (spec.fault !== undefined) checkFault('fault', spec.fault, findings);
  if (routes.length === 0) checkTimeoutAgainstRetries('', spec.timeout, spec.retries, 'timeout', findings);
}

/** Istio applies VirtualService http routes only to HTTP-speaking ports: a warning for a TCP-only service. */
export function warnAboutNonHttpService(
  spec: TrafficPolicySpec,
  service: string,
  protocols: readonly string[] | undefined,
  findings: Findings,
): void {
  const routesSomething =
    spec.routes !== undefined ||
    spec.timeout !== undefined ||
    spec.retries !== undefined ||
    spec.fault !== undefined;
  if (!routesSomething || !protocols || protocols.length === 0) return;
  if (protocols.some((protocol) => HTTP_PROTOCOLS.has(protocol))) return;
  findings.warn(
    spec.routes !== undefined
      ? 'routes'
      : spec.timeout !== undefined
        ? 'timeout'
        : spec.retries !== undefined
          ? 'retries'
          : 'fault',
    `${service} has no HTTP, HTTP2 or GRPC port (${protocols.join(', ')}): routes, timeouts, retries and faults apply only to HTTP traffic`,
  );
}
