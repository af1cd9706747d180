import {
  IntermediateState,
  intermediateRenewalDueAt,
  intermediateState,
  planIntermediateRequest,
  type StoredIntermediateRecord,
} from './intermediate-plan';

const DAY = 24 * 60 * 60 * 1000;
const SIGNED_AT = new Date('2030-01-01T00:00:00Z');
const at = (days: number) => new Date(SIGNED_AT.getTime() + days * DAY);

function signed(overrides: Partial<StoredIntermediateRecord> = {}): StoredIntermediateRecord {
  return {
    rootGeneration: 1,
    notBefore: SIGNED_AT,
    notAfter: at(300),
    requestedAt: new Date(SIGNED_AT.getTime() - 1000),
    signedAt: SIGNED_AT,
    lastError: null,
    ...overrides,
  };
}

describe('intermediateState', () => {
  it('is SIGNED until two thirds of the lifetime, then EXPIRING, then EXPIRED', () => {
    expect(intermediateState(signed(), at(199))).toBe(IntermediateState.SIGNED);
    expect(intermediateState(signed(), at(200))).toBe(IntermediateState.EXPIRING);
    expect(intermediateState(signed(), at(300))).toBe(IntermediateState.EXPIRED);
    expect(intermediateRenewalDueAt(signed())).toEqual(at(200));
  });

  it('is PENDING without a certificate and ERROR when the CSR was refused', () => {
    const pending = signed({ notBefore: null, notAfter: null, signedAt: null, requestedAt: SIGNED_AT });
    expect(intermediateState(pending, at(1))).toBe(IntermediateState.PENDING);
    expect(intermediateState({ ...pending, lastError: 'weak key' }, at(1))).toBe(IntermediateState.ERROR);
    // A refused renewal keeps the usable certificate: its state is the certificate's.
    expect(intermediateState(signed({ lastError: 'weak key' }), at(1))).toBe(IntermediateState.SIGNED);
  });

  it('refuses a renewal fraction outside (0, 1)', () => {
    expect(() => intermediateRenewalDueAt(signed(), 1)).toThrow(/between 0 and 1/);
  });
});

describe('planIntermediateRequest', () => {
  it('asks when there is no intermediate from the issuing root', () => {
    expect(planIntermediateRequest([], 1, at(0))).toMatchObject({ request: true });
    // During a rotation the issuing root moves on: an intermediate from the old root is not enough.
    expect(planIntermediateRequest([signed()], 2, at(1))).toMatchObject({
      request: true,
      reason: 'no intermediate from root generation 2',
    });
  });

  it('does not ask while the intermediate is fresh', () => {
    expect(planIntermediateRequest([signed()], 1, at(100))).toMatchObject({ request: false });
  });

  it('asks for a renewal at two thirds of the lifetime, once per retry period', () => {
    expect(planIntermediateRequest([signed()], 1, at(200))).toMatchObject({
      request: true,
      reason: 'the intermediate is due for renewal',
    });
    const asked = signed({ requestedAt: at(200) });
    expect(planIntermediateRequest([asked], 1, new Date(at(200).getTime() + 30_000))).toMatchObject({
      request: false,
    });
    expect(planIntermediateRequest([asked], 1, new Date(at(200).getTime() + 61_000))).toMatchObject({
      request: true,
      reason: 'the intermediate is due for renewal',
    });
  });

  it('repeats an unanswered request after the retry period and a refused one after the longer one', () => {
    const pending = signed({ notBefore: null, notAfter: null, signedAt: null, requestedAt: at(0) });
    expect(planIntermediateRequest([pending], 1, new Date(at(0).getTime() + 10_000))).toMatchObject({
      request: false,
    });
    expect(planIntermediateRequest([pending], 1, new Date(at(0).getTime() + 60_000))).toMatchObject({
      request: true,
      reason: 'the earlier request was not answered',
    });
    const refused = { ...pending, lastError: 'CSR rejected: weak key' };
    expect(planIntermediateRequest([refused], 1, new Date(at(0).getTime() + 60_000))).toMatchObject({
      request: false,
    });
    expect(
      planIntermediateRequest([refused], 1, new Date(at(0).getTime() + 5 * 60_000), {
        retryAfterErrorMs: 5 * 60_000,
      }),
    ).toMatchObject({ request: true, reason: 'retrying after a refused CSR: CSR rejected: weak key' });
  });
});
