import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '@lattice/istio';
import { parse } from 'yaml';
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
});
