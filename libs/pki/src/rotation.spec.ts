import { createCsr } from './csr';
import { RotationError } from './errors';
import { createRootCa, type CreatedCertificateAuthority } from './gns-ca';
import { intermediateCommonName, signIntermediate } from './intermediate';
import { opensslVerify, signWorkloadCertificate, verifyChain } from './pki.test-util';
import {
  advanceRotation,
  cancelRotation,
  initialRotationState,
  issuingRootForStage,
  startRotation,
  trustedRootsForStage,
  type RotationStage,
  type ClusterCaView,
  type RootRotationState,
} from './rotation';
import { buildTrustBundle } from './trust-bundle';

const T0 = new Date('2030-01-01T00:00:00Z');
const HOUR_MS = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR_MS);

/** A cluster that has applied everything the given state tells it. */
function upToDate(clusterId: string, state: RootRotationState): ClusterCaView {
  return {
    clusterId,
    appliedTrustedRootGenerations: trustedRootsForStage(state),
    appliedIntermediateRootGeneration: issuingRootForStage(state),
  };
}

function expectWaiting(result: ReturnType<typeof advanceRotation>) {
  if (result.advanced) throw new Error(`expected to wait, but advanced to ${result.state.stage}`);
  return result;
}

function expectAdvanced(result: ReturnType<typeof advanceRotation>): RootRotationState {
  if (!result.advanced) throw new Error(`expected to advance, but waits: ${result.reason}`);
  return result.state;
}

describe('root rotation state machine', () => {
  const idle = initialRotationState({ now: T0 });

  it('starts idle on generation 1 with a 24h workload TTL, as plain JSON', () => {
    expect(idle).toEqual({
      stage: 'IDLE',
      currentRootGeneration: 1,
      nextRootGeneration: null,
      stageEnteredAt: T0.toISOString(),
      allClustersMovedAt: null,
      maxWorkloadCertTtlSeconds: 86_400,
    });
    expect(JSON.parse(JSON.stringify(idle))).toEqual(idle);
    expect(trustedRootsForStage(idle)).toEqual([1]);
    expect(issuingRootForStage(idle)).toBe(1);
    expect(expectWaiting(advanceRotation(idle, [], T0)).reason).toBe('no root rotation is in progress');
  });

  it('startRotation trusts both roots but keeps issuing from the old one', () => {
    const trustBoth = startRotation(idle, at(1));
    expect(trustBoth).toMatchObject({
      stage: 'TRUST_BOTH',
      nextRootGeneration: 2,
      stageEnteredAt: at(1).toISOString(),
    });
    expect(trustedRootsForStage(trustBoth)).toEqual([1, 2]);
    expect(issuingRootForStage(trustBoth)).toBe(1);
    expect(() => startRotation(trustBoth, at(2))).toThrow(RotationError);
    expect(startRotation(idle, at(1), { maxWorkloadCertTtlSeconds: 3600 }).maxWorkloadCertTtlSeconds).toBe(
      3600,
    );
  });

  it('enters ISSUING_NEW only when every cluster has applied the bundle with both roots', () => {
    const trustBoth = startRotation(idle, at(1));
    const lagging = [upToDate('b', trustBoth), upToDate('a', idle), upToDate('c', idle)];
    const waiting = expectWaiting(advanceRotation(trustBoth, lagging, at(2)));
    expect(waiting.waitingForClusterIds).toEqual(['a', 'c']);
    expect(waiting.reason).toBe(
      'waiting for 2 cluster(s) to apply the trust bundle with root generations 1 and 2',
    );
    expect(waiting.state).toEqual(trustBoth);

    const issuing = expectAdvanced(
      advanceRotation(
        trustBoth,
        ['a', 'b', 'c'].map((id) => upToDate(id, trustBoth)),
        at(3),
      ),
    );
    expect(issuing).toMatchObject({ stage: 'ISSUING_NEW', stageEnteredAt: at(3).toISOString() });
    expect(trustedRootsForStage(issuing)).toEqual([1, 2]);
    expect(issuingRootForStage(issuing)).toBe(2);
  });

  describe('ISSUING_NEW -> DROP_OLD', () => {
    const trustBoth = startRotation(idle, at(1));
    const issuing = expectAdvanced(
      advanceRotation(trustBoth, [upToDate('a', trustBoth), upToDate('b', trustBoth)], at(2)),
    );

    it('waits for every cluster to run an intermediate from the new root', () => {
      const waiting = expectWaiting(
        advanceRotation(issuing, [upToDate('a', issuing), upToDate('b', trustBoth)], at(3)),
      );
      expect(waiting.waitingForClusterIds).toEqual(['b']);
      expect(waiting.reason).toContain('intermediate signed by root generation 2');
      expect(waiting.state.allClustersMovedAt).toBeNull();
    });

    it('then waits out the workload TTL from the moment all clusters had moved', () => {
      const clusters = [upToDate('a', issuing), upToDate('b', issuing)];
      const first = expectWaiting(advanceRotation(issuing, clusters, at(5)));
      expect(first.state.allClustersMovedAt).toBe(at(5).toISOString());
      expect(first.earliestAt).toBe(at(29).toISOString());
      expect(first.reason).toContain(`waiting until ${at(29).toISOString()}`);

      const stillWaiting = expectWaiting(advanceRotation(first.state, clusters, at(28.99)));
      expect(stillWaiting.state.allClustersMovedAt).toBe(at(5).toISOString());

      const dropOld = expectAdvanced(advanceRotation(stillWaiting.state, clusters, at(29)));
      expect(dropOld.stage).toBe('DROP_OLD');
      expect(trustedRootsForStage(dropOld)).toEqual([2]);
      expect(issuingRootForStage(dropOld)).toBe(2);
    });

    it('restarts the clock when a cluster falls back to an old-root intermediate, not for a new cluster', () => {
      const moved = expectWaiting(advanceRotation(issuing, [upToDate('a', issuing)], at(5))).state;
      const regressed = expectWaiting(advanceRotation(moved, [upToDate('a', trustBoth)], at(6)));
      expect(regressed.state.allClustersMovedAt).toBeNull();

      const newcomer: ClusterCaView = {
        clusterId: 'new',
        appliedTrustedRootGenerations: [],
        appliedIntermediateRootGeneration: null,
      };
      const joined = expectWaiting(advanceRotation(moved, [upToDate('a', issuing), newcomer], at(6)));
      expect(joined.waitingForClusterIds).toEqual(['new']);
      expect(joined.state.allClustersMovedAt).toBe(at(5).toISOString());
    });

    it('honours a configured workload TTL', () => {
      const shortTtl = { ...issuing, maxWorkloadCertTtlSeconds: 3600 };
      const clusters = [upToDate('a', issuing)];
      const waiting = expectWaiting(advanceRotation(shortTtl, clusters, at(5)));
      expect(expectAdvanced(advanceRotation(waiting.state, clusters, at(6))).stage).toBe('DROP_OLD');
    });
  });

  it('returns to IDLE on the new root once no cluster trusts the old one', () => {
    const dropOld: RootRotationState = {
      stage: 'DROP_OLD',
      currentRootGeneration: 1,
      nextRootGeneration: 2,
      stageEnteredAt: at(30).toISOString(),
      allClustersMovedAt: at(5).toISOString(),
      maxWorkloadCertTtlSeconds: 86_400,
    };
    const issuingView: ClusterCaView = {
      clusterId: 'b',
      appliedTrustedRootGenerations: [1, 2],
      appliedIntermediateRootGeneration: 2,
    };
    const waiting = expectWaiting(advanceRotation(dropOld, [upToDate('a', dropOld), issuingView], at(31)));
    expect(waiting.waitingForClusterIds).toEqual(['b']);
    expect(waiting.reason).toBe(
      'waiting for 1 cluster(s) to apply the trust bundle without root generation 1',
    );

    const done = expectAdvanced(
      advanceRotation(dropOld, [upToDate('a', dropOld), upToDate('b', dropOld)], at(32)),
    );
    expect(done).toEqual({
      stage: 'IDLE',
      currentRootGeneration: 2,
      nextRootGeneration: null,
      stageEnteredAt: at(32).toISOString(),
      allClustersMovedAt: null,
      maxWorkloadCertTtlSeconds: 86_400,
    });
    expect(startRotation(done, at(40)).nextRootGeneration).toBe(3);
  });

  it('can be cancelled in TRUST_BOTH only', () => {
    const trustBoth = startRotation(idle, at(1));
    expect(cancelRotation(trustBoth, at(2))).toMatchObject({
      stage: 'IDLE',
      currentRootGeneration: 1,
      nextRootGeneration: null,
    });
    const issuing = expectAdvanced(advanceRotation(trustBoth, [], at(2)));
    expect(() => cancelRotation(issuing, at(3))).toThrow(RotationError);
    expect(() => cancelRotation(idle, at(3))).toThrow(RotationError);
  });

  it('refuses a corrupted stored state instead of guessing', () => {
    expect(() => trustedRootsForStage({ ...idle, stage: 'BOGUS' as RotationStage })).toThrow(
      /unknown rotation stage/,
    );
    expect(() => issuingRootForStage({ ...idle, stage: 'ISSUING_NEW' })).toThrow(/needs the generation/);
    expect(() => advanceRotation({ ...idle, nextRootGeneration: 2 }, [], T0)).toThrow(RotationError);
    expect(() => initialRotationState({ maxWorkloadCertTtlSeconds: -1 })).toThrow(/non-negative/);
  });
});

describe('trust between clusters at every rotation stage (real certificates)', () => {
  const trustDomain = 'shop.lattice.local';
  const clusterNames = ['east', 'west'] as const;
  type ClusterName = (typeof clusterNames)[number];
  const roots = new Map<number, CreatedCertificateAuthority>();
  /** Workload certificate and its chain, per (cluster, root generation of its intermediate). */
  const workloads = new Map<string, { leafPem: string; chainPem: string }>();

  beforeAll(async () => {
    for (const generation of [1, 2]) {
      roots.set(
        generation,
        await createRootCa({
          tenantId: 't1',
          tenantName: 'Acme',
          gnsId: 'shop',
          gnsName: 'shop',
          trustDomain,
          keyAlgorithm: 'RSA-2048',
          now: T0,
        }),
      );
    }
    for (const clusterName of clusterNames) {
      for (const [generation, root] of roots) {
        const csr = await createCsr({ commonName: intermediateCommonName(clusterName), rsaBits: 2048 });
        const intermediate = signIntermediate({
          csrPem: csr.csrPem,
          rootCertificatePem: root.certificatePem,
          rootPrivateKeyPem: root.privateKeyPem,
          trustDomain,
          clusterName,
          now: T0,
        });
        const leafPem = signWorkloadCertificate({
          intermediateCertPem: intermediate.certificatePem,
          intermediateKeyPem: csr.privateKeyPem,
          spiffeId: `spiffe://${trustDomain}/ns/${clusterName}/sa/app`,
          now: T0,
        });
        workloads.set(`${clusterName}/${generation}`, { leafPem, chainPem: intermediate.certChainPem });
      }
    }
  });

  /** What a cluster holds after applying the snapshot of a stage: its bundle and its workloads' chain. */
  function clusterAt(clusterName: ClusterName, state: RootRotationState) {
    return {
      bundlePem: buildTrustBundle(
        trustedRootsForStage(state).map((generation) => roots.get(generation)!.certificatePem),
      ),
      workload: workloads.get(`${clusterName}/${issuingRootForStage(state)}`)!,
    };
  }

  function mutuallyTrusting(east: ReturnType<typeof clusterAt>, west: ReturnType<typeof clusterAt>): boolean {
    const verdicts = [
      verifyChain(east.workload.leafPem, [east.workload.chainPem], west.bundlePem, T0).valid,
      verifyChain(west.workload.leafPem, [west.workload.chainPem], east.bundlePem, T0).valid,
      opensslVerify(east.workload.leafPem, [east.workload.chainPem], west.bundlePem, { at: T0 }).ok,
      opensslVerify(west.workload.leafPem, [west.workload.chainPem], east.bundlePem, { at: T0 }).ok,
    ];
    return verdicts.every(Boolean);
  }

  /** The stages in order, driven through the machine by clusters that apply each step. */
  function walkRotation(): RootRotationState[] {
    const states = [initialRotationState({ now: T0 })];
    states.push(startRotation(states[0]!, at(1)));
    let hours = 1;
    while (states.length < 5) {
      const latest = states[states.length - 1]!;
      hours += 25;
      const views = clusterNames.map((name) => upToDate(name, latest));
      // Call twice: the first call may only record when every cluster moved.
      const first = advanceRotation(latest, views, at(hours));
      const result = first.advanced ? first : advanceRotation(first.state, views, at(hours + 25));
      states.push(expectAdvanced(result));
    }
    return states;
  }

  it('walks IDLE -> TRUST_BOTH -> ISSUING_NEW -> DROP_OLD -> IDLE', () => {
    expect(
      walkRotation().map((state) => [state.stage, trustedRootsForStage(state), issuingRootForStage(state)]),
    ).toEqual([
      ['IDLE', [1], 1],
      ['TRUST_BOTH', [1, 2], 1],
      ['ISSUING_NEW', [1, 2], 2],
      ['DROP_OLD', [2], 2],
      ['IDLE', [2], 2],
    ]);
  });

  it('keeps clusters that are at the same stage or one stage apart trusting each other', () => {
    const states = walkRotation();
    states.forEach((state, index) => {
      const previous = states[Math.max(0, index - 1)]!;
      for (const [eastState, westState] of [
        [state, state],
        [state, previous],
        [previous, state],
      ] as const) {
        expect({
          east: eastState.stage,
          west: westState.stage,
          trusted: mutuallyTrusting(clusterAt('east', eastState), clusterAt('west', westState)),
        }).toEqual({ east: eastState.stage, west: westState.stage, trusted: true });
      }
    });
  });

  it('shows why the gates exist: two stages apart, trust breaks', () => {
    const [idle, , issuing, dropOld] = walkRotation();
    // A cluster still on the old-only bundle cannot verify a workload from a new-root intermediate...
    expect(mutuallyTrusting(clusterAt('east', idle!), clusterAt('west', issuing!))).toBe(false);
    // ...and the machine refuses to issue from the new root while that cluster lags.
    const trustBoth = startRotation(idle!, at(1));
    expect(
      advanceRotation(trustBoth, [upToDate('east', idle!), upToDate('west', trustBoth)], at(2)).advanced,
    ).toBe(false);
    // Likewise dropping the old root while a cluster still issues from it breaks trust.
    expect(mutuallyTrusting(clusterAt('east', dropOld!), clusterAt('west', trustBoth))).toBe(false);
  });

  it('drops the old root only after the old intermediates can no longer have valid leaves', () => {
    const states = walkRotation();
    const issuing = states[2]!;
    const dropOld = states[3]!;
    const movedAt = new Date(dropOld.allClustersMovedAt!);
    expect(dropOld.stageEnteredAt >= new Date(movedAt.getTime() + 24 * HOUR_MS).toISOString()).toBe(true);
    // The last workload an old intermediate can have signed is issued when its cluster moves, so it
    // expires no later than movedAt + TTL: still valid (and trusted) just before, gone after.
    const oldLeaf = workloads.get('west/1')!;
    const issuingBundle = clusterAt('east', issuing).bundlePem;
    expect(verifyChain(oldLeaf.leafPem, [oldLeaf.chainPem], issuingBundle, T0).valid).toBe(true);
    const afterTtl = new Date(T0.getTime() + 24 * HOUR_MS + 1000);
    expect(verifyChain(oldLeaf.leafPem, [oldLeaf.chainPem], issuingBundle, afterTtl).valid).toBe(false);
  });
});
