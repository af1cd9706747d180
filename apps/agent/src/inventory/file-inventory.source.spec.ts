import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecordingLogger } from '../testing/agent.test-fixtures';
import type { ClusterInventory } from './inventory-source.port';
import { FileInventorySource } from './file-inventory.source';

describe('FileInventorySource', () => {
  let directory: string;
  let file: string;
  let logger: RecordingLogger;
  let source: FileInventorySource;
  let emitted: ClusterInventory[];

  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'file-inventory-'));
    file = path.join(directory, 'inventory.yaml');
    logger = new RecordingLogger();
    emitted = [];
    source = new FileInventorySource(file, logger);
  });

  afterEach(async () => {
    await source.stop();
    await fs.rm(directory, { recursive: true, force: true });
  });

  it('fails to start on a bad file, naming the file and the field', async () => {
    await fs.writeFile(file, 'namespaces: [{ name: Shop }]');
    await expect(source.start()).rejects.toThrow(`${file}: namespaces.0.name: must be a DNS label`);
  });

  it('emits a new inventory after an edit and keeps the last good one after a bad edit', async () => {
    await fs.writeFile(file, 'namespaces: [{ name: shop }]');
    await source.start();
    source.subscribe((inventory) => emitted.push(inventory));
    expect(source.current()?.namespaces.map((namespace) => namespace.name)).toEqual(['shop']);

    await fs.writeFile(file, 'namespaces: [{ name: shop }, { name: search }]');
    await source.reload();
    expect(emitted.map((inventory) => inventory.namespaces.length)).toEqual([2]);

    await fs.writeFile(file, 'namespaces: [{ name: shop, labels: { x: 1 } }]');
    await source.reload();
    expect(emitted).toHaveLength(1);
    expect(source.current()?.namespaces).toHaveLength(2);
    expect(logger.messages('error')).toEqual(['inventory file rejected; keeping the last good inventory']);
    expect(JSON.stringify(logger.records.at(-1)?.fields)).toContain('namespaces.0.labels.x');
  });

  it('does not emit when the content is unchanged, and survives a rename-replace save', async () => {
    await fs.writeFile(file, 'namespaces: [{ name: shop }]');
    await source.start();
    source.subscribe((inventory) => emitted.push(inventory));
    await fs.writeFile(file, '# comment only\nnamespaces: [{ name: shop }]');
    await source.reload();
    expect(emitted).toHaveLength(0);

    const replacement = path.join(directory, '.inventory.yaml.swp');
    await fs.writeFile(replacement, 'namespaces: [{ name: other }]');
    await fs.rename(replacement, file);
    await source.reload();
    expect(emitted.map((inventory) => inventory.namespaces[0]?.name)).toEqual(['other']);
  });

  it('keeps the inventory while the file is briefly missing', async () => {
    await fs.writeFile(file, 'namespaces: [{ name: shop }]');
    await source.start();
    await fs.rm(file);
    await source.reload();
    expect(source.current()?.namespaces).toHaveLength(1);
  });
});
