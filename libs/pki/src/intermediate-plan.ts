import { DEFAULT_RENEW_BEFORE_FRACTION } from './intermediate';
import { InvalidPkiInputError } from './errors';

/**
 * Decisions about one cluster's intermediate for one GNS, from what the controller has stored:
 * its state for the API, and whether to ask the agent (IntermediateRequest) for a CSR now.
 * Dates only, no certificate parsing, so the controller can run it for every cluster cheaply.
 */

export const IntermediateState = {
  /** Asked for, no certificate from this root generation yet. */
  PENDING: 'PENDING',
  SIGNED: 'SIGNED',
  /** Signed, but past its renewal point; a renewal has been (or will be) asked for. */
  EXPIRING: 'EXPIRING',
  EXPIRED: 'EXPIRED',
  /** The last CSR was refused (see lastError) and there is no usable certificate. */
  ERROR: 'ERROR',
} as const;
export type IntermediateState = (typeof IntermediateState)[keyof typeof IntermediateState];

export interface StoredIntermediateRecord {
  rootGeneration: number;
  notBefore: Date | null;
  notAfter: Date | null;
  requestedAt: Date;
  signedAt: Date | null;
  lastError: string | null;
}

export interface IntermediatePolicy {
  /** Renew once less than this fraction of the lifetime remains (1/3: at two thirds of it). */
  renewBeforeFraction?: number;
  /** An unanswered request is repeated after this long (agent restarted, message lost). */
  retryAfterMs?: number;
  /** After a refused CSR, wait this long before asking again (a misconfigured agent would loop). */
  retryAfterErrorMs?: number;
}

export const DEFAULT_INTERMEDIATE_RETRY_MS = 60_000;
export const DEFAULT_INTERMEDIATE_RETRY_AFTER_ERROR_MS = 5 * 60_000;

/** The moment a signed intermediate should be renewed. */
export function intermediateRenewalDueAt(
  record: Pick<StoredIntermediateRecord, 'notBefore' | 'notAfter'>,
  renewBeforeFraction: number = DEFAULT_RENEW_BEFORE_FRACTION,
): Date | null {
  if (!(renewBeforeFraction > 0 && renewBeforeFraction < 1)) {
    throw new InvalidPkiInputError(`renewBeforeFraction must be between 0 and 1, got ${renewBeforeFraction}`);
  }
  if (!record.notBefore || !record.notAfter) return null;
  const lifetimeMs = record.notAfter.getTime() - record.notBefore.getTime();
  return new Date(record.notAfter.getTime() - lifetimeMs * renewBeforeFraction);
}

export function intermediateState(
  record: StoredIntermediateRecord,
  now: Date,
  renewBeforeFraction: number = DEFAULT_RENEW_BEFORE_FRACTION,
): IntermediateState {
  const signed = record.signedAt !== null && record.notAfter !== null;
  if (signed && now >= (record.notAfter as Date)) return IntermediateState.EXPIRED;
  if (signed) {
    const due = intermediateRenewalDueAt(record, renewBeforeFraction);
    return due !== null && now >= due ? IntermediateState.EXPIRING : IntermediateState.SIGNED;
  }
  return record.lastError !== null ? IntermediateState.ERROR : IntermediateState.PENDING;
}

export type IntermediateRequestDecision =
  { request: true; reason: string } | { request: false; reason: string };

/**
 * Whether to ask the cluster for a CSR now. `records` are the cluster's stored intermediates of
 * the GNS (any generation); `issuingGeneration` is the root that signs in the current rotation
 * stage. A request stays outstanding (requestedAt after signedAt) until it is answered or times
 * out, so a replica checking every few heartbeats does not flood the agent.
 */
export function planIntermediateRequest(
  records: readonly StoredIntermediateRecord[],
  issuingGeneration: number,
  now: Date,
  policy: IntermediatePolicy = {},
): IntermediateRequestDecision {
  const record = records.find((candidate) => candidate.rootGeneration === issuingGeneration);
  if (!record) return { request: true, reason: `no intermediate from root generation ${issuingGeneration}` };
  const state = intermediateState(record, now, policy.renewBeforeFraction);
  if (state === IntermediateState.SIGNED) return { request: false, reason: 'signed and not due for renewal' };
  const outstanding = record.signedAt === null || record.requestedAt > record.signedAt;
  const waitMs =
    record.lastError !== null
      ? (policy.retryAfterErrorMs ?? DEFAULT_INTERMEDIATE_RETRY_AFTER_ERROR_MS)
      : (policy.retryAfterMs ?? DEFAULT_INTERMEDIATE_RETRY_MS);
  if (outstanding && now.getTime() - record.requestedAt.getTime() < waitMs) {
    return { request: false, reason: `a request from ${record.requestedAt.toISOString()} is outstanding` };
  }
  switch (state) {
    case IntermediateState.EXPIRING:
      return { request: true, reason: 'the intermediate is due for renewal' };
    case IntermediateState.EXPIRED:
      return { request: true, reason: 'the intermediate has expired' };
    case IntermediateState.ERROR:
      return { request: true, reason: `retrying after a refused CSR: ${record.lastError}` };
    default:
      return { request: true, reason: 'the earlier request was not answered' };
  }
}
