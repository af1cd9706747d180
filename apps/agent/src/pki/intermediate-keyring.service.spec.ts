import { promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentStateStore } from '../state/agent-state.store';
import { desiredState, RecordingLogger } from '../testing/agent.test-fixtures';
import { createTestCa, signCsr } from '../testing/test-pki.test-fixtures';
import { generateKeyAndCsr, type KeyAndCsr } from './agent-keys.util';
import { ABANDONED_KEY_AFTER_MS } from './intermediate-key-retention.util';
import {
  type IntermediateCsr,
  IntermediateKeyring,
  resolveIntermediateKeys,
} from './intermediate-keyring.service';

const gnsRoot = createTestCa('GNS root');
const NOW = Date.parse('2030-01-01T00:00:00Z');

describe('IntermediateKeyring', () => {
  let directory: string;
  let store: AgentStateStore;
  let logger: RecordingLogger;
  let generated: KeyAndCsr[];
  let clock: number;

  beforeAll(async () => {
    generated = await Promise.all([1, 2].map(() => generateKeyAndCsr('pre-generated', 2048)));
  });

  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'intermediate-keyring-'));
    store = new AgentStateStore(directory);
    logger = new RecordingLogger();
    clock = NOW;
  });

  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  /** Hands out the pre-generated keys in turn, recording the requested subject and size. */
  function newKeyring(requests: Array<[string, number]> = []): IntermediateKeyring {
    let next = 0;
    return new IntermediateKeyring({
      store,
      logger,
      now: () => clock,
      createKeyAndCsr: async (commonName, modulusLength) => {
        requests.push([commonName, modulusLength]);
        return generated[next++ % generated.length]!;
      },
    });
  }

  const request = { gnsId: 'gns-shop', subjectCommonName: 'Lattice intermediate shop', rootGeneration: 2 };

  /** A state in which GNS `shop` runs the intermediate signed for `csrPem`. */
  function stateSigning(csrPem: string) {
    const state = desiredState('c-1', { shop: 'shop.local' });
    state.globalNamespaces[0]!.ca = {
      certChainPem: `${signCsr(gnsRoot, csrPem, { isCa: true })}${gnsRoot.certPem}`,
      trustBundlePem: gnsRoot.certPem,
      rootGeneration: 2,
    };
    return state;
  }

  it('stores a 3072-bit key for the request before it sends the CSR', async () => {
    const requests: Array<[string, number]> = [];
    const keyring = newKeyring(requests);
    const sent: IntermediateCsr[] = [];
    let keysWhenSent = -1;

    await keyring.answerRequest(request, (csr) => {
      sent.push(csr);
      keysWhenSent = readdirSync(path.join(directory, 'intermediates')).length;
    });

    expect(requests).toEqual([['Lattice intermediate shop', 3072]]);
    expect(sent).toEqual([{ gnsId: 'gns-shop', rootGeneration: 2, csrPem: generated[0]!.csrPem }]);
    const keys = await store.listIntermediateKeys();
    expect(keys).toMatchObject([{ gnsId: 'gns-shop', rootGeneration: 2, createdAtMs: NOW }]);
    expect(keys[0]!.keyPem).toBe(generated[0]!.keyPem);
    expect(keysWhenSent).toBe(1);
    expect(logger.messages('info')).toEqual(['sent intermediate CSR']);
  });

  it('ignores an invalid request and a repeat of one still being answered', async () => {
    const requests: Array<[string, number]> = [];
    const keyring = newKeyring(requests);
    const sent: IntermediateCsr[] = [];

    await keyring.answerRequest({ ...request, gnsId: '../../etc' }, (csr) => sent.push(csr));
    await keyring.answerRequest({ ...request, subjectCommonName: ' ' }, (csr) => sent.push(csr));
    await keyring.answerRequest(null, (csr) => sent.push(csr));
    expect(logger.messages('warn')).toEqual([
      'invalid intermediate request; ignored',
      'invalid intermediate request; ignored',
    ]);

    await Promise.all([
      keyring.answerRequest(request, (csr) => sent.push(csr)),
      keyring.answerRequest(request, (csr) => sent.push(csr)),
    ]);
    expect(sent).toHaveLength(1);
    expect(requests).toHaveLength(1);
  });

  it('sends no CSR when the key cannot be created', async () => {
    const keyring = new IntermediateKeyring({
      store,
      logger,
      createKeyAndCsr: () => Promise.reject(new Error('entropy exhausted')),
    });
    const sent: IntermediateCsr[] = [];
    await keyring.answerRequest(request, (csr) => sent.push(csr));
    expect(sent).toEqual([]);
    expect(logger.messages('error')).toEqual(['could not create the intermediate CSR']);
  });

  it('tells whether a signed intermediate matches a stored key', async () => {
    const keyring = newKeyring();
    await keyring.answerRequest(request, () => undefined);
    const signed = signCsr(gnsRoot, generated[0]!.csrPem, { isCa: true });
    const stranger = signCsr(gnsRoot, generated[1]!.csrPem, { isCa: true });

    const signedMessage = (certChainPem: string) => ({
      gnsId: 'gns-shop',
      rootGeneration: 2,
      certChainPem,
      trustBundlePem: gnsRoot.certPem,
    });
    await keyring.noteSigned(signedMessage(`${signed}${gnsRoot.certPem}`));
    await keyring.noteSigned(signedMessage(stranger));
    await keyring.noteSigned(signedMessage('no certificate'));

    expect(logger.messages('info')).toContain('intermediate signed; it applies with the next snapshot');
    expect(logger.messages('warn')).toEqual([
      'signed intermediate matches no stored key',
      'signed intermediate matches no stored key',
    ]);
  });

  it('finds the key of each intermediate in a state', async () => {
    const keyring = newKeyring();
    await keyring.answerRequest(request, () => undefined);
    const keys = await keyring.keysFor(stateSigning(generated[0]!.csrPem));
    expect([...keys]).toEqual([['gns-shop', generated[0]!.keyPem]]);
    await expect(keyring.keysFor(stateSigning(generated[1]!.csrPem))).rejects.toThrow(
      /no stored intermediate key matches the certificate of GNS shop/,
    );
  });

  it('prunes replaced keys, and abandoned ones only after a delivered snapshot', async () => {
    const keyring = newKeyring();
    // A key for a GNS the cluster left long ago, then the key of the applied intermediate.
    await store.writeIntermediateKey('gns-gone', 1, generated[1]!.keyPem, NOW - 2 * ABANDONED_KEY_AFTER_MS);
    await keyring.answerRequest(request, () => undefined);
    const state = stateSigning(generated[0]!.csrPem);

    await keyring.prune(state, 'restored');
    expect((await store.listIntermediateKeys()).map((key) => key.gnsId).sort()).toEqual([
      'gns-gone',
      'gns-shop',
    ]);

    await keyring.prune(state, 'delivered');
    expect((await store.listIntermediateKeys()).map((key) => key.gnsId)).toEqual(['gns-shop']);
    expect(logger.messages('info')).toContain('removed intermediate keys no longer needed');
  });

  it('keeps the keys when it cannot list them, with a warning', async () => {
    const failing = Object.assign(Object.create(store) as AgentStateStore, {
      listIntermediateKeys: () => Promise.reject(new Error('EIO')),
    });
    const keyring = new IntermediateKeyring({ store: failing, logger });
    await keyring.prune(desiredState('c-1', { shop: 'shop.local' }), 'delivered');
    expect(logger.messages('warn')).toEqual(['could not remove old intermediate keys']);
  });
});

describe('resolveIntermediateKeys', () => {
  const root = gnsRoot;

  it('picks the key whose public key is in the first certificate of the chain, whatever the file name', async () => {
    const current = await generateKeyAndCsr('istio-ca.shop', 2048);
    const stale = await generateKeyAndCsr('istio-ca.shop', 2048);
    const intermediate = signCsr(root, current.csrPem, { isCa: true });
    const state = desiredState('c-1', { shop: 'shop.local' });
    state.globalNamespaces[0]!.ca = {
      certChainPem: `${intermediate}${root.certPem}`,
      trustBundlePem: root.certPem,
      rootGeneration: 2,
    };

    const staleKey = {
      gnsId: 'gns-shop',
      rootGeneration: 2,
      keyPem: stale.keyPem,
      id: 'stale',
      createdAtMs: 2,
    };
    const keys = resolveIntermediateKeys(state, [
      staleKey,
      { gnsId: 'renamed', rootGeneration: 1, keyPem: current.keyPem, id: 'renamed', createdAtMs: 1 },
    ]);
    expect(keys.get('gns-shop')).toBe(current.keyPem);
    expect(() => resolveIntermediateKeys(state, [staleKey])).toThrow(
      /no stored intermediate key matches the certificate of GNS shop \(gns-shop, root generation 2\)/,
    );
  });

  it('needs no key for a GNS without CA material yet', () => {
    expect(resolveIntermediateKeys(desiredState('c-1', { shop: 'shop.local' }), []).size).toBe(0);
  });
});
