import { parseDurationMs } from '../durations';
import type { RetrySpec } from '../policy-spec';
import { BOUNDS, type Findings } from './findings';

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

export function checkTimeout(field: string, timeout: string, findings: Findings): void {
  findings.duration(field, timeout, BOUNDS.timeout);
}

/**
 * A per-try timeout longer than the timeout in force leaves no time for a retry. `field` is the
 * route ('' for the service-wide settings); `timeoutField` names where the timeout comes from.
 */
export function checkTimeoutAgainstRetries(
  field: string,
  timeout: string | undefined,
  retries: RetrySpec | undefined,
  timeoutField: string,
  findings: Findings,
): void {
  if (timeout === undefined || retries?.perTryTimeout === undefined) return;
  const total = parseDurationMs(timeout);
  const perTry = parseDurationMs(retries.perTryTimeout);
  if (total !== null && perTry !== null && perTry > total) {
    findings.error(
      field === '' ? 'retries.perTryTimeout' : `${field}.retries.perTryTimeout`,
      `${retries.perTryTimeout} is longer than the timeout ${timeout} (${timeoutField}): no retry could ever happen`,
    );
  }
}

export function checkRetries(field: string, retries: RetrySpec, findings: Findings): void {
  if (retries.perTryTimeout !== undefined)
    findings.duration(`${field}.perTryTimeout`, retries.perTryTimeout, BOUNDS.perTryTimeout);
  (retries.retryOn ?? []).forEach((condition, index) => {
    if (!RETRY_CONDITIONS.includes(condition) && !/^[1-5]\d\d$/.test(condition))
      findings.error(
        `${field}.retryOn[${index}]`,
        `"${condition}" is not a retry condition (${RETRY_CONDITIONS.join(', ')}, or a status code such as 503)`,
      );
  });
  if (retries.attempts === 0 && (retries.perTryTimeout !== undefined || retries.retryOn !== undefined))
    findings.error(
      `${field}.attempts`,
      '0 disables retries, so perTryTimeout and retryOn would have no effect',
    );
}
