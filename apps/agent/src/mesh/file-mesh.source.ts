import { type FSWatcher, promises as fs, watch } from 'node:fs';
import path from 'node:path';
import type { MeshInstallation } from '@lattice/domain';
import { canonicalJson } from '../inventory/canonical-json.util';
import { type AgentLogger, errorMessage } from '../logger';
import type { MeshInstallationListener, MeshInstallationSource } from './mesh-installation-source.port';
import { parseMeshSection } from './mesh-file.schema';

/**
 * The installation from the inventory file's `mesh:` section, re-read when the file changes (the
 * directory is watched, as FileInventorySource does). A file without the section reports nothing;
 * a bad edit is logged and the last good installation stays.
 */
export class FileMeshSource implements MeshInstallationSource {
  private readonly listeners = new Set<MeshInstallationListener>();
  private installation: MeshInstallation | undefined;
  private watcher: FSWatcher | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly filePath: string,
    private readonly logger: AgentLogger,
    private readonly debounceMs = 200,
  ) {}

  /** Reads the file once (a bad section at start is an error) and starts watching it. */
  async start(): Promise<void> {
    this.installation = parseMeshSection(await fs.readFile(this.filePath, 'utf8'), this.filePath);
    const fileName = path.basename(this.filePath);
    this.watcher = watch(path.dirname(this.filePath), { persistent: false }, (_event, changed) => {
      if (changed === null || changed === fileName) this.scheduleReload();
    });
    this.watcher.on('error', (error) =>
      this.logger.error({ file: this.filePath, err: errorMessage(error) }, 'inventory file watch failed'),
    );
  }

  async stop(): Promise<void> {
    clearTimeout(this.debounceTimer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  current(): MeshInstallation | undefined {
    return this.installation;
  }

  subscribe(listener: MeshInstallationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async reload(): Promise<void> {
    let next: MeshInstallation | undefined;
    try {
      next = parseMeshSection(await fs.readFile(this.filePath, 'utf8'), this.filePath);
    } catch (error) {
      this.logger.error(
        { file: this.filePath, err: errorMessage(error) },
        'mesh section rejected; keeping the last good installation',
      );
      return;
    }
    // A section removed from the file keeps the last one: the controller has no "retract" message.
    if (!next || (this.installation && canonicalJson(this.installation) === canonicalJson(next))) return;
    this.installation = next;
    this.logger.info({ file: this.filePath }, 'mesh installation changed');
    for (const listener of this.listeners) listener(next);
  }

  private scheduleReload(): void {
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => void this.reload(), this.debounceMs);
  }
}
