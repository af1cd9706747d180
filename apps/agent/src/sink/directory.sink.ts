import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '@lattice/istio';
import { stringify } from 'yaml';
import { z } from 'zod';
import {
  ensurePrivateDirectory,
  fileIsCurrent,
  isNotFound,
  readFileIfExists,
  writeFileAtomic,
} from '../state/atomic-write.util';
import type { ApplySink } from './apply-sink.port';

/** Lists the files this sink wrote, so it removes only its own files and never a neighbour's. */
export const DIRECTORY_SINK_INDEX = '.lattice-index.json';
const indexSchema = z.object({ files: z.array(z.string()) });

// Namespaces are DNS labels and cannot contain '_', so this cannot collide with a real namespace.
const CLUSTER_SCOPED = '_cluster';
const SAFE_SEGMENT = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;

/** `<kind>.<namespace>.<name>.yaml`, lowercase; cluster-scoped objects use `_cluster` as namespace. */
export function manifestFileName(object: KubeObject): string {
  const kind = object.kind.toLowerCase();
  const namespace = (object.metadata.namespace ?? '').toLowerCase();
  const name = object.metadata.name.toLowerCase();
  for (const [field, value] of [
    ['kind', kind],
    ['metadata.namespace', namespace],
    ['metadata.name', name],
  ] as const) {
    if (field === 'metadata.namespace' && value === '') continue;
    if (!SAFE_SEGMENT.test(value) || value.includes('..')) {
      throw new Error(
        `${object.kind} ${JSON.stringify(object.metadata.name)}: ${field} ${JSON.stringify(value)} cannot be a file name`,
      );
    }
  }
  return `${kind}.${namespace || CLUSTER_SCOPED}.${name}.yaml`;
}

/**
 * Writes rendered manifests to a folder (GitOps, demos, tests): one YAML file per object, each
 * written atomically; files it wrote earlier and no longer wants are removed; other files are
 * left alone. The manifests include the mesh CA Secrets (`ca-key.pem`), so the folder is 0700 and
 * every file the sink writes is 0600, also a file an older version left with a wider mode.
 */
export class DirectorySink implements ApplySink {
  constructor(readonly directory: string) {}

  async apply(objects: KubeObject[]): Promise<void> {
    const wanted = new Map<string, KubeObject>();
    for (const object of objects) {
      const fileName = manifestFileName(object);
      if (wanted.has(fileName)) throw new Error(`two objects map to the same file ${fileName}`);
      wanted.set(fileName, object);
    }

    await ensurePrivateDirectory(this.directory);
    const previouslyOwned = await this.readIndex();
    // Record the union first: a crash midway must not orphan files this sink is about to write.
    await this.writeIndex([...new Set([...previouslyOwned, ...wanted.keys()])]);

    for (const [fileName, object] of wanted) {
      const filePath = path.join(this.directory, fileName);
      const content = stringify(object, { sortMapEntries: false });
      if (await fileIsCurrent(filePath, content)) continue;
      await writeFileAtomic(filePath, content);
    }
    for (const fileName of previouslyOwned) {
      if (wanted.has(fileName)) continue;
      try {
        await fs.unlink(path.join(this.directory, fileName));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    await this.writeIndex([...wanted.keys()]);
  }

  private async readIndex(): Promise<string[]> {
    const text = await readFileIfExists(path.join(this.directory, DIRECTORY_SINK_INDEX));
    if (text === undefined) return [];
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(
        `${path.join(this.directory, DIRECTORY_SINK_INDEX)} is corrupt; remove it and the files it listed`,
      );
    }
    const parsed = indexSchema.safeParse(json);
    if (!parsed.success) throw new Error(`${path.join(this.directory, DIRECTORY_SINK_INDEX)} is corrupt`);
    // Never follow an index entry out of the folder.
    return parsed.data.files.filter((file) => path.basename(file) === file && file.endsWith('.yaml'));
  }

  private async writeIndex(files: string[]): Promise<void> {
    await writeFileAtomic(
      path.join(this.directory, DIRECTORY_SINK_INDEX),
      `${JSON.stringify({ files: [...files].sort() }, null, 2)}\n`,
    );
  }
}
