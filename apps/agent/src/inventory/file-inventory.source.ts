import { type FSWatcher, promises as fs, watch } from 'node:fs';
import path from 'node:path';
import { type AgentLogger, errorMessage } from '../logger';
import { canonicalJson } from './canonical-json.util';
import type { ClusterInventory, InventoryListener, InventorySource } from './inventory-source.port';
import { parseInventoryFile } from './inventory-file.schema';

export interface FileInventorySourceOptions {
  /** Quiet period after the last change event before re-reading (editors write in bursts). */
  debounceMs?: number;
}

/**
 * Inventory from a YAML file, re-read when it changes. Watches the directory, not the file: editors
 * that save by writing a new file and renaming it over the old one replace the inode a file watch
 * would be stuck on. A bad edit is logged and the last good inventory stays.
 */
export class FileInventorySource implements InventorySource {
  private readonly listeners = new Set<InventoryListener>();
  private inventory: ClusterInventory | undefined;
  private watcher: FSWatcher | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private readonly debounceMs: number;

  constructor(
    readonly filePath: string,
    private readonly logger: AgentLogger,
    options: FileInventorySourceOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 200;
  }

  /** Reads the file once (a bad file at start is an error) and starts watching it. */
  async start(): Promise<void> {
    this.inventory = parseInventoryFile(await fs.readFile(this.filePath, 'utf8'), this.filePath);
    const fileName = path.basename(this.filePath);
    this.watcher = watch(path.dirname(this.filePath), { persistent: false }, (_event, changed) => {
      // Some platforms do not report the file name; re-reading an unchanged file is harmless.
      if (changed === null || changed === fileName) this.scheduleReload();
    });
    this.watcher.on('error', (error) =>
      this.logger.error({ file: this.filePath, err: errorMessage(error) }, 'inventory file watch failed'),
    );
    this.logger.info(
      {
        file: this.filePath,
        namespaces: this.inventory.namespaces.length,
        services: this.inventory.services.length,
      },
      'inventory file loaded',
    );
  }

  async stop(): Promise<void> {
    clearTimeout(this.debounceTimer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  current(): ClusterInventory | undefined {
    return this.inventory;
  }

  subscribe(listener: InventoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads the file; emits when the content changed, keeps the last good inventory on error. */
  async reload(): Promise<void> {
    let next: ClusterInventory;
    try {
      next = parseInventoryFile(await fs.readFile(this.filePath, 'utf8'), this.filePath);
    } catch (error) {
      // Mid-rename the file can briefly be missing; the next event re-reads it.
      this.logger.error(
        { file: this.filePath, err: errorMessage(error) },
        'inventory file rejected; keeping the last good inventory',
      );
      return;
    }
    if (this.inventory && canonicalJson(this.inventory) === canonicalJson(next)) return;
    this.inventory = next;
    this.logger.info(
      { file: this.filePath, namespaces: next.namespaces.length, services: next.services.length },
      'inventory file changed',
    );
    for (const listener of this.listeners) listener(next);
  }

  private scheduleReload(): void {
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => void this.reload(), this.debounceMs);
  }
}
