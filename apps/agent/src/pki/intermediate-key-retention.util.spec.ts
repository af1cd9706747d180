import type { StoredIntermediateKey } from '../state/agent-state.store';
import { desiredState } from '../testing/agent.test-fixtures';
import { createTestCa, signCsr } from '../testing/test-pki.test-fixtures';
import { generateKeyAndCsr } from './agent-keys.util';
import { ABANDONED_KEY_AFTER_MS, obsoleteIntermediateKeys } from './intermediate-key-retention.util';

const root = createTestCa('GNS root');
const NOW = 10 * ABANDONED_KEY_AFTER_MS;

describe('obsoleteIntermediateKeys', () => {
  let keyPems: string[];
  let csrPems: string[];

  beforeAll(async () => {
    const generated = await Promise.all(
      [1, 2, 3, 4].map(() => generateKeyAndCsr('Lattice intermediate a', 2048)),
    );
    keyPems = generated.map((entry) => entry.keyPem);
    csrPems = generated.map((entry) => entry.csrPem);
  });

  const key = (index: number, gnsId: string, createdAtMs: number): StoredIntermediateKey => ({
    gnsId,
    rootGeneration: 1,
    keyPem: keyPems[index]!,
    id: `key-${index}`,
    createdAtMs,
  });

  /** A state in which GNS `shop` runs the intermediate signed for key `index`. */
  function stateUsing(index: number) {
    const state = desiredState('c-1', { shop: 'shop.local' });
    state.globalNamespaces[0]!.ca = {
      certChainPem: `${signCsr(root, csrPems[index]!, { isCa: true })}${root.certPem}`,
      trustBundlePem: root.certPem,
      rootGeneration: 1,
    };
    return state;
  }

  const ids = (keys: StoredIntermediateKey[]) => keys.map((entry) => entry.id).sort();

  it('keeps the applied key and newer pending ones, drops what the applied one replaced', () => {
    const keys = [key(0, 'gns-shop', 100), key(1, 'gns-shop', 200), key(2, 'gns-shop', 300)];
    expect(ids(obsoleteIntermediateKeys(stateUsing(1), keys))).toEqual(['key-0']);
    expect(ids(obsoleteIntermediateKeys(stateUsing(2), keys))).toEqual(['key-0', 'key-1']);
  });

  it('matches by public key, not by where the key is filed', () => {
    const keys = [key(0, 'renamed', 100), key(1, 'gns-shop', 50)];
    expect(ids(obsoleteIntermediateKeys(stateUsing(0), keys))).toEqual(['key-1']);
  });

  it('keeps at most two unanswered keys per GNS', () => {
    const keys = [
      key(0, 'gns-shop', 100),
      key(1, 'gns-shop', 200),
      key(2, 'gns-shop', 300),
      key(3, 'gns-shop', 400),
    ];
    const withoutCa = desiredState('c-1', { shop: 'shop.local' });
    expect(ids(obsoleteIntermediateKeys(withoutCa, keys))).toEqual(['key-0', 'key-1']);
  });

  it('drops keys of a GNS a delivered state no longer mentions once they are old enough', () => {
    const state = desiredState('c-1', { other: 'other.local' });
    const fresh = key(0, 'gns-gone', NOW - 1000);
    const old = key(1, 'gns-gone', NOW - ABANDONED_KEY_AFTER_MS);
    const abandonedBeforeMs = NOW - ABANDONED_KEY_AFTER_MS + 1;
    expect(ids(obsoleteIntermediateKeys(state, [fresh, old], { abandonedBeforeMs }))).toEqual(['key-1']);
    // A state restored at start-up may predate the GNS: its keys stay until a delivered state says.
    expect(obsoleteIntermediateKeys(state, [fresh, old])).toEqual([]);
  });
});
