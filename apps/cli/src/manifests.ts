import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { APPLY_ORDER, parseDocument, refKey, type DeclarativeResource } from '@lattice/domain';
import { CliError, EXIT } from './exit-codes';

/** A parsed document and where it came from ("shop/gns.yaml#2"). */
export interface Manifest {
  resource: DeclarativeResource;
  /** The document as written (sent to the controller as is). */
  document: unknown;
  source: string;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The manifest files -f names: files as given, folders' .yaml/.yml/.json files (sorted; with `recursive`, subfolders too). */
export function manifestFiles(paths: readonly string[], recursive: boolean): string[] {
  const files: string[] = [];
  const visit = (entry: string, top: boolean) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(entry);
    } catch {
      throw new CliError(`${entry}: no such file or folder`, EXIT.INVALID);
    }
    if (stat.isDirectory()) {
      if (!top && !recursive) return;
      for (const name of fs.readdirSync(entry).sort()) {
        if (name.startsWith('.')) continue;
        const child = path.join(entry, name);
        if (fs.statSync(child).isDirectory() || MANIFEST_EXTENSIONS.has(path.extname(name)))
          visit(child, false);
      }
    } else files.push(entry);
  };
  for (const entry of paths) visit(entry, true);
  return files;
}

/** Parses every document of a file's text; each problem names the file, the document and the field. */
export function parseManifestText(
  text: string,
  source: string,
): { manifests: Manifest[]; problems: string[] } {
  const manifests: Manifest[] = [];
  const problems: string[] = [];
  const documents = parseAllDocuments(text, { uniqueKeys: true });
  const list = Array.isArray(documents) ? documents : [documents];
  list.forEach((document, index) => {
    const where = list.length > 1 ? `${source}#${index + 1}` : source;
    if (document.errors.length > 0) {
      problems.push(...document.errors.map((error) => `${where}: ${error.message.split('\n')[0]}`));
      return;
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return; // an empty document (a trailing ---)
    const parsed = parseDocument(value);
    if (!parsed.ok)
      problems.push(...parsed.errors.map((error) => `${where}: ${error.field}: ${error.message}`));
    else manifests.push({ resource: parsed.resource, document: value, source: where });
  });
  return { manifests, problems };
}

/**
 * Every document of the files, checked locally before anything is sent, in apply order (what others
 * refer to first). Any invalid document or a resource named twice stops everything: exit code 3.
 */
export function loadManifests(paths: readonly string[], recursive: boolean): Manifest[] {
  const manifests: Manifest[] = [];
  const problems: string[] = [];
  for (const file of manifestFiles(paths, recursive)) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
      continue;
    }
    const result = parseManifestText(text, file);
    manifests.push(...result.manifests);
    problems.push(...result.problems);
  }
  const seen = new Map<string, string>();
  for (const manifest of manifests) {
    const key = refKey(manifest.resource);
    const earlier = seen.get(key);
    if (earlier) problems.push(`${manifest.source}: ${key} is also defined in ${earlier}`);
    seen.set(key, manifest.source);
  }
  if (problems.length > 0)
    throw new CliError(
      `${problems.length} problem${problems.length > 1 ? 's' : ''} in the configuration; nothing was sent`,
      EXIT.INVALID,
      problems,
    );
  if (manifests.length === 0) throw new CliError(`no documents in ${paths.join(', ')}`, EXIT.INVALID);
  return sortForApply(manifests);
}

export function sortForApply<T extends { resource: DeclarativeResource }>(manifests: readonly T[]): T[] {
  return [...manifests].sort(
    (a, b) =>
      APPLY_ORDER.indexOf(a.resource.kind) - APPLY_ORDER.indexOf(b.resource.kind) ||
      refKey(a.resource).localeCompare(refKey(b.resource)),
  );
}
