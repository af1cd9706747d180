import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyAndCsr } from '../pki/agent-keys.util';
import { createTestCa, signCsr } from '../testing/test-pki.test-fixtures';
import { type AgentCredentials, AgentStateStore } from './agent-state.store';
import { modesUnder } from '../testing/file-modes.test-fixtures';
import { writeFileAtomic } from './atomic-write.util';

describe('AgentStateStore', () => {
  let directory: string;
  let store: AgentStateStore;
  const ca = createTestCa();
  let credentials: AgentCredentials;

  beforeAll(async () => {
    const { keyPem, csrPem } = await generateKeyAndCsr('cluster-a', 2048);
    credentials = {
      keyPem,
      certPem: signCsr(ca, csrPem, {}),
      caPem: ca.certPem,
      identity: { clusterId: 'c-1', tenantId: 't-1', controller: 'controller:50051' },
    };
  });

  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'agent-state-'));
    store = new AgentStateStore(path.join(directory, 'state'));
  });

  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  it('has no credentials in a fresh directory', async () => {
    await expect(store.readCredentials()).resolves.toBeUndefined();
    await expect(store.readSnapshot()).resolves.toBeUndefined();
    await expect(store.listIntermediateKeys()).resolves.toEqual([]);
  });

  it('round-trips credentials and keeps the key private (0600)', async () => {
    await store.writeCredentials(credentials);
    await expect(store.readCredentials()).resolves.toEqual(credentials);
    const keyMode = (await fs.stat(path.join(store.directory, 'key.pem'))).mode & 0o777;
    expect(keyMode).toBe(0o600);
    const files = (await fs.readdir(store.directory)).sort();
    expect(files).toEqual(['ca.pem', 'cert.pem', 'identity.json', 'key.pem']);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    await store.writeCredentials(credentials);
    const other = await generateKeyAndCsr('other', 2048);
    await fs.writeFile(path.join(store.directory, 'key.pem'), other.keyPem);
    await expect(store.readCredentials()).rejects.toThrow(/key\.pem does not match .*cert\.pem/);
  });

  it('reports an incomplete credential set', async () => {
    await store.writeCredentials(credentials);
    await fs.rm(path.join(store.directory, 'ca.pem'));
    await expect(store.readCredentials()).rejects.toThrow(/incomplete credentials/);
  });

  it('finishes a credential swap that was interrupted after staging completed', async () => {
    await store.writeCredentials(credentials);
    const renewed = await generateKeyAndCsr('cluster-a', 2048);
    const staging = path.join(store.directory, 'credentials.next');
    await fs.mkdir(staging);
    await fs.writeFile(path.join(staging, 'key.pem'), renewed.keyPem);
    await fs.writeFile(path.join(staging, 'cert.pem'), signCsr(ca, renewed.csrPem, {}));
    await fs.writeFile(path.join(staging, 'COMPLETE'), '');
    // Crash after the key moved but before the certificate did.
    await fs.rename(path.join(staging, 'key.pem'), path.join(store.directory, 'key.pem'));

    const recovered = await store.readCredentials();
    expect(recovered?.keyPem).toBe(renewed.keyPem);
    await expect(fs.stat(staging)).rejects.toThrow();
  });

  it('discards a staging area that never completed and keeps the old credentials', async () => {
    await store.writeCredentials(credentials);
    const staging = path.join(store.directory, 'credentials.next');
    await fs.mkdir(staging);
    await fs.writeFile(path.join(staging, 'key.pem'), 'half-written');
    await expect(store.readCredentials()).resolves.toEqual(credentials);
  });

  it('persists the snapshot atomically, leaving no temporary files', async () => {
    await store.ensureDirectory();
    await store.writeSnapshot({ version: 3, format: 'f', checksum: 'abc', payload: '{}' });
    await store.writeSnapshot({ version: 4, format: 'f', checksum: 'def', payload: '{"a":1}' });
    await expect(store.readSnapshot()).resolves.toEqual({
      version: 4,
      format: 'f',
      checksum: 'def',
      payload: '{"a":1}',
    });
    expect(await fs.readdir(store.directory)).toEqual(['snapshot.json']);
  });

  it('says when the persisted snapshot is corrupt', async () => {
    await store.ensureDirectory();
    await fs.writeFile(path.join(store.directory, 'snapshot.json'), '{"version":');
    await expect(store.readSnapshot()).rejects.toThrow(/snapshot\.json is corrupt/);
  });

  it('stores every intermediate key in its own 0600 file, lists them oldest first and deletes by id', async () => {
    const later = await store.writeIntermediateKey('gns-1', 2, 'KEY-2b', 2000);
    const earlier = await store.writeIntermediateKey('gns-1', 2, 'KEY-2a', 1000);
    await store.writeIntermediateKey('gns-1', 1, 'KEY-1', 3000);
    expect(path.basename(later)).toMatch(/^gns-1-2-2000-[0-9a-f]{8}\.key\.pem$/);
    expect((await fs.stat(later)).mode & 0o777).toBe(0o600);
    const keys = await store.listIntermediateKeys();
    expect(keys).toEqual([
      { gnsId: 'gns-1', rootGeneration: 1, keyPem: 'KEY-1', id: expect.any(String), createdAtMs: 3000 },
      { gnsId: 'gns-1', rootGeneration: 2, keyPem: 'KEY-2a', id: path.basename(earlier), createdAtMs: 1000 },
      { gnsId: 'gns-1', rootGeneration: 2, keyPem: 'KEY-2b', id: path.basename(later), createdAtMs: 2000 },
    ]);

    await store.deleteIntermediateKey(path.basename(earlier));
    await store.deleteIntermediateKey(path.basename(earlier)); // already gone: fine
    expect((await store.listIntermediateKeys()).map((key) => key.keyPem)).toEqual(['KEY-1', 'KEY-2b']);
    await expect(store.deleteIntermediateKey('../key.pem')).rejects.toThrow(/not an intermediate key file/);
    await expect(store.deleteIntermediateKey('../../gns-1-2.key.pem')).rejects.toThrow(/not a file name/);
    await expect(store.writeIntermediateKey('../escape', 1, 'x')).rejects.toThrow(/not a safe file name/);
  });

  it('still reads (and deletes) keys written by agents that kept one key per GNS and generation', async () => {
    await fs.mkdir(path.join(store.directory, 'intermediates'), { recursive: true });
    await fs.writeFile(path.join(store.directory, 'intermediates', 'gns-1-3.key.pem'), 'OLD', {
      mode: 0o600,
    });
    await fs.writeFile(path.join(store.directory, 'intermediates', '.gns-1-3.key.pem.abc.tmp'), 'torn');
    expect(await store.listIntermediateKeys()).toEqual([
      { gnsId: 'gns-1', rootGeneration: 3, keyPem: 'OLD', id: 'gns-1-3.key.pem', createdAtMs: 0 },
    ]);
    await store.deleteIntermediateKey('gns-1-3.key.pem');
    expect(await store.listIntermediateKeys()).toEqual([]);
  });
});

describe('AgentStateStore file modes', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'agent-state-modes-'));
  });
  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  it('writes every file 0600 in 0700 folders: credentials, snapshot and intermediate keys', async () => {
    const store = new AgentStateStore(path.join(directory, 'state'));
    const { keyPem, csrPem } = await generateKeyAndCsr('cluster-a', 2048);
    const ca = createTestCa();
    await store.writeCredentials({
      keyPem,
      certPem: signCsr(ca, csrPem, {}),
      caPem: ca.certPem,
      identity: { clusterId: 'c-1', tenantId: 't-1', controller: 'controller:50051' },
    });
    await store.writeSnapshot({ version: 1, format: 'json', checksum: 'c', payload: '{}' });
    const keyPath = await store.writeIntermediateKey('gns-1', 1, 'KEY', 1000);

    expect(await modesUnder(store.directory)).toEqual({
      '.': '700',
      'key.pem': '600',
      'cert.pem': '600',
      'ca.pem': '600',
      'identity.json': '600',
      'snapshot.json': '600',
      intermediates: '700',
      [path.join('intermediates', path.basename(keyPath))]: '600',
    });
  });

  it('narrows folders an older version or an operator created readable to 0700', async () => {
    const store = new AgentStateStore(path.join(directory, 'state'));
    await fs.mkdir(path.join(store.directory, 'intermediates'), { recursive: true });
    await fs.chmod(store.directory, 0o755);
    await fs.chmod(path.join(store.directory, 'intermediates'), 0o775);

    await store.ensureDirectory();
    await store.writeIntermediateKey('gns-1', 1, 'KEY', 1000);

    const modes = await modesUnder(store.directory);
    expect([modes['.'], modes['intermediates']]).toEqual(['700', '700']);
  });
});

describe('writeFileAtomic', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'atomic-'));
  });
  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  it('replaces the content and makes the file private (0600) even over a readable existing file', async () => {
    const file = path.join(directory, 'x.txt');
    await fs.writeFile(file, 'old');
    await fs.chmod(file, 0o644);
    await writeFileAtomic(file, 'new');
    expect(await fs.readFile(file, 'utf8')).toBe('new');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(directory)).toEqual(['x.txt']);
  });

  it('gives a file exactly the mode asked for, whatever the umask', async () => {
    const file = path.join(directory, 'public.txt');
    await writeFileAtomic(file, 'hello', 0o664);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o664);
  });
});
