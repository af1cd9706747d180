import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '@lattice/istio';
import { parse, stringify } from 'yaml';
import { modesUnder } from '../testing/file-modes.test-fixtures';
import { DIRECTORY_SINK_INDEX, DirectorySink, manifestFileName } from './directory.sink';

function serviceEntry(
  namespace: string,
  name: string,
  hosts: string[] = [`${name}.shop.lattice.local`],
): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'lattice' } },
    spec: { hosts, resolution: 'DNS' },
  };
}

/** What the renderer writes for a GNS mesh CA: the intermediate's private key in `ca-key.pem`. */
function caSecret(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'istio-system' },
    type: 'Opaque',
    data: { 'ca-key.pem': Buffer.from('-----BEGIN PRIVATE KEY-----\n').toString('base64') },
  } as KubeObject;
}

describe('DirectorySink', () => {
  let directory: string;
  let sink: DirectorySink;

  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'directory-sink-'));
    sink = new DirectorySink(path.join(directory, 'out'));
  });

  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  async function manifests(): Promise<string[]> {
    return (await fs.readdir(sink.directory)).filter((file) => file !== DIRECTORY_SINK_INDEX).sort();
  }

  it('names files <kind>.<namespace>.<name>.yaml in lowercase', () => {
    expect(manifestFileName(serviceEntry('Shop', 'Cart'))).toBe('serviceentry.shop.cart.yaml');
    expect(manifestFileName({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } })).toBe(
      'namespace._cluster.shop.yaml',
    );
    expect(() => manifestFileName(serviceEntry('shop', '../etc'))).toThrow(
      /metadata.name "..\/etc" cannot be a file name/,
    );
  });

  it('writes one YAML file per object with the object as content', async () => {
    await sink.apply([serviceEntry('shop', 'cart'), serviceEntry('shop', 'web')]);
    expect(await manifests()).toEqual(['serviceentry.shop.cart.yaml', 'serviceentry.shop.web.yaml']);
    const content = parse(
      await fs.readFile(path.join(sink.directory, 'serviceentry.shop.cart.yaml'), 'utf8'),
    );
    expect(content).toEqual(serviceEntry('shop', 'cart'));
  });

  it('updates changed objects and removes the ones no longer wanted', async () => {
    await sink.apply([serviceEntry('shop', 'cart'), serviceEntry('shop', 'web')]);
    await sink.apply([serviceEntry('shop', 'cart', ['cart.new.local'])]);
    expect(await manifests()).toEqual(['serviceentry.shop.cart.yaml']);
    const content = parse(
      await fs.readFile(path.join(sink.directory, 'serviceentry.shop.cart.yaml'), 'utf8'),
    );
    expect(content.spec.hosts).toEqual(['cart.new.local']);
    await sink.apply([]);
    expect(await manifests()).toEqual([]);
  });

  it('leaves files it did not write alone, even ones that look like its own', async () => {
    await fs.mkdir(sink.directory, { recursive: true });
    await fs.writeFile(path.join(sink.directory, 'README.md'), 'hands off');
    await fs.writeFile(path.join(sink.directory, 'serviceentry.shop.legacy.yaml'), 'kind: ServiceEntry\n');
    await sink.apply([serviceEntry('shop', 'cart')]);
    await sink.apply([]);
    expect((await fs.readdir(sink.directory)).sort()).toEqual([
      DIRECTORY_SINK_INDEX,
      'README.md',
      'serviceentry.shop.legacy.yaml',
    ]);
  });

  it('overwrites a foreign file when the desired set names it, and then owns it', async () => {
    await fs.mkdir(sink.directory, { recursive: true });
    await fs.writeFile(path.join(sink.directory, 'serviceentry.shop.cart.yaml'), 'stale');
    await sink.apply([serviceEntry('shop', 'cart')]);
    expect(
      parse(await fs.readFile(path.join(sink.directory, 'serviceentry.shop.cart.yaml'), 'utf8')).kind,
    ).toBe('ServiceEntry');
    await sink.apply([]);
    expect(await manifests()).toEqual([]);
  });

  it('leaves no temporary files behind', async () => {
    await sink.apply([serviceEntry('shop', 'cart')]);
    await sink.apply([serviceEntry('shop', 'cart', ['changed.local'])]);
    expect((await fs.readdir(sink.directory)).filter((file) => file.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses two objects that map to the same file and writes nothing', async () => {
    await expect(sink.apply([serviceEntry('shop', 'cart'), serviceEntry('SHOP', 'CART')])).rejects.toThrow(
      /same file/,
    );
    await expect(fs.readdir(sink.directory)).rejects.toThrow();
  });

  it('never deletes outside its folder, whatever the index says', async () => {
    const outside = path.join(directory, 'outside.yaml');
    await fs.writeFile(outside, 'keep');
    await fs.mkdir(sink.directory, { recursive: true });
    await fs.writeFile(
      path.join(sink.directory, DIRECTORY_SINK_INDEX),
      JSON.stringify({ files: ['../outside.yaml'] }),
    );
    await sink.apply([]);
    expect(await fs.readFile(outside, 'utf8')).toBe('keep');
  });

  it('keeps the folder 0700 and every file it writes 0600: the CA Secrets hold private keys', async () => {
    await sink.apply([caSecret('cacerts'), caSecret('lattice-cacerts-shop'), serviceEntry('shop', 'cart')]);
    expect(await modesUnder(sink.directory)).toEqual({
      '.': '700',
      [DIRECTORY_SINK_INDEX]: '600',
      'secret.istio-system.cacerts.yaml': '600',
      'secret.istio-system.lattice-cacerts-shop.yaml': '600',
      'serviceentry.shop.cart.yaml': '600',
    });
  });

  it('makes a folder and unchanged files an older version left readable private again', async () => {
    // As the sink wrote them before: same content, default modes.
    await fs.mkdir(sink.directory, { mode: 0o755 });
    await fs.chmod(sink.directory, 0o755);
    const secretFile = path.join(sink.directory, 'secret.istio-system.cacerts.yaml');
    const content = stringify(caSecret('cacerts'), { sortMapEntries: false });
    await fs.writeFile(secretFile, content);
    await fs.chmod(secretFile, 0o644);
    await fs.writeFile(
      path.join(sink.directory, DIRECTORY_SINK_INDEX),
      JSON.stringify({ files: ['secret.istio-system.cacerts.yaml'] }),
      { mode: 0o644 },
    );
    await fs.writeFile(path.join(sink.directory, 'README.md'), 'not ours', { mode: 0o644 });

    await sink.apply([caSecret('cacerts')]);

    expect(await fs.readFile(secretFile, 'utf8')).toBe(content);
    expect(await modesUnder(sink.directory)).toEqual({
      '.': '700',
      [DIRECTORY_SINK_INDEX]: '600',
      'secret.istio-system.cacerts.yaml': '600',
      // Not the sink's file: left as it is (the folder already keeps others out).
      'README.md': '644',
    });
  });
});
