import type { FaultSpec } from '../policy-spec';
import { BOUNDS, type Findings } from './findings';

/** Fault injection: a delay, an abort with an HTTP error status, or both. */
export function checkFault(field: string, fault: FaultSpec, findings: Findings): void {
  if (fault.delay === undefined && fault.abort === undefined)
    findings.error(field, 'must hold a delay, an abort or both');
  if (fault.delay !== undefined)
    findings.duration(`${field}.delay.fixedDelay`, fault.delay.fixedDelay, BOUNDS.fixedDelay);
  if (fault.abort !== undefined && (fault.abort.httpStatus < 400 || fault.abort.httpStatus > 599))
    findings.error(
      `${field}.abort.httpStatus`,
      `${fault.abort.httpStatus} is not an HTTP error status (400..599)`,
    );
}
