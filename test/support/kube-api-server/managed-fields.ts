/**
 * Server-side apply field ownership ("Server-Side Apply" docs: Field Management, Conflicts,
 * Merge strategy), simplified from structured-merge-diff:
 *
 *   - ownership is tracked per leaf field: a scalar, an atomic list or an empty map;
 *   - maps merge key by key; the associative lists of built-in types (listKeys below) merge and are
 *     owned element by element (`k:{...}` path segments); every other list is replaced whole
 *     (`x-kubernetes-list-type: atomic`, which is also what Istio's schema-less CRDs get);
 *   - `fieldsV1` holds `f:<name>` and `k:{...}` entries down to those leaves (no `v:`/`i:` entries,
 *     no `.` markers; an element stops existing when its owned fields are all released);
 *   - managers are entries keyed by (manager, operation, subresource), as in metadata.managedFields.
 *
 * Never tracked: apiVersion, kind, the server-owned metadata fields, and `.status` on resources with
 * a status subresource (writes to the main resource reset it, so nobody can own it there).
 */
import { clone, deepEqual, isObject, type KubeObject, type ManagedFieldsEntry } from './util';

export type FieldPath = string[];

const SERVER_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

export type Scope = 'main' | 'status' | 'scale';

function tracked(path: FieldPath, scope: Scope, hasStatus: boolean): boolean {
  const [top, second] = path;
  if (top === 'apiVersion' || top === 'kind') return false;
  if (top === 'metadata' && second !== undefined && SERVER_METADATA.has(second)) return false;
  if (scope === 'status') return top === 'status';
  if (scope === 'scale') return top === 'spec' && second === 'replicas';
  return !(hasStatus && top === 'status');
}

/**
 * Associative lists of the built-in types (`x-kubernetes-list-type: map` and their keys), which
 * apply merges element by element; every other list is atomic. Custom resources (the Istio kinds)
 * have no such lists here.
 */
function listKeys(path: FieldPath): string[] | undefined {
  const fields = path.filter((segment) => !segment.startsWith('k:'));
  const last = fields[fields.length - 1];
  const parent = fields[fields.length - 2];
  if (fields.length === 2 && fields[0] === 'spec' && last === 'ports') return ['port', 'protocol'];
  if (fields.join('.') === 'metadata.ownerReferences') return ['uid'];
  if (last === 'containers' || last === 'initContainers' || last === 'ephemeralContainers') return ['name'];
  const inContainer =
    parent === 'containers' || parent === 'initContainers' || parent === 'ephemeralContainers';
  if (inContainer && last === 'ports') return ['containerPort', 'protocol'];
  if (inContainer && last === 'env') return ['name'];
  if (inContainer && last === 'volumeMounts') return ['mountPath'];
  if (last === 'volumes' && parent === 'spec') return ['name'];
  return undefined;
}

const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

function elementSegment(item: Record<string, unknown>, keys: string[]): string {
  return `k:${JSON.stringify(Object.fromEntries(keys.map((key) => [key, item[key] ?? KEY_DEFAULTS[key]])))}`;
}

/** The keys of an associative list at `path`, if `list` is one whose elements all carry them. */
function associativeKeys(path: FieldPath, list: unknown, associative: boolean): string[] | undefined {
  if (!associative || !Array.isArray(list)) return undefined;
  const keys = listKeys(path);
  if (!keys) return undefined;
  return list.every((item) => isObject(item) && item[keys[0]!] !== undefined) ? keys : undefined;
}

export function leafPaths(
  object: unknown,
  scope: Scope,
  hasStatus: boolean,
  associative = false,
  prefix: FieldPath = [],
): FieldPath[] {
  const out: FieldPath[] = [];
  const walk = (value: unknown, at: FieldPath): void => {
    if (isObject(value) && (Object.keys(value).length > 0 || at.length === 0)) {
      for (const [key, child] of Object.entries(value)) {
        if (child === undefined) continue;
        walk(child, [...at, key]);
      }
      return;
    }
    const keys = associativeKeys(at, value, associative);
    if (keys && tracked(at, scope, hasStatus)) {
      for (const item of value as Array<Record<string, unknown>>)
        walk(item, [...at, elementSegment(item, keys)]);
      return;
    }
    if (at.length > 0 && tracked(at, scope, hasStatus)) out.push(at);
  };
  walk(object, prefix);
  return out;
}

const keyOf = (path: FieldPath): string => JSON.stringify(path);
const pathOf = (key: string): FieldPath => JSON.parse(key) as FieldPath;

function matchesSegment(item: unknown, segment: string): boolean {
  if (!isObject(item)) return false;
  const key = JSON.parse(segment.slice(2)) as Record<string, unknown>;
  return Object.entries(key).every(([name, value]) => deepEqual(item[name] ?? KEY_DEFAULTS[name], value));
}

function child(node: unknown, segment: string): unknown {
  if (segment.startsWith('k:') && Array.isArray(node))
    return node.find((item) => matchesSegment(item, segment));
  return isObject(node) ? node[segment] : undefined;
}

function removeChild(node: unknown, segment: string): void {
  if (segment.startsWith('k:') && Array.isArray(node)) {
    const index = node.findIndex((item) => matchesSegment(item, segment));
    if (index >= 0) node.splice(index, 1);
  } else if (isObject(node)) delete node[segment];
}

export function getPath(object: unknown, path: FieldPath): { exists: boolean; value?: unknown } {
  let current: unknown = object;
  for (const segment of path) {
    current = child(current, segment);
    if (current === undefined) return { exists: false };
  }
  return { exists: true, value: current };
}

/** Removes a field (or list element), then any map or list left empty above it, below the top level. */
export function deletePath(object: Record<string, unknown>, path: FieldPath): void {
  const chain: unknown[] = [object];
  let current: unknown = object;
  for (const segment of path.slice(0, -1)) {
    current = child(current, segment);
    if (current === undefined) return;
    chain.push(current);
  }
  removeChild(current, path[path.length - 1]!);
  for (let depth = path.length - 2; depth >= 1; depth--) {
    const node = chain[depth + 1];
    const empty = Array.isArray(node) ? node.length === 0 : isObject(node) && Object.keys(node).length === 0;
    if (!empty) break;
    removeChild(chain[depth], path[depth]!);
  }
}

export function overlaps(a: FieldPath, b: FieldPath): boolean {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toFieldsV1(paths: FieldPath[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let node = root;
    for (const segment of path) {
      const name = segment.startsWith('k:') ? segment : `f:${segment}`;
      node[name] = isObject(node[name]) ? node[name] : {};
      node = node[name] as Record<string, unknown>;
    }
  }
  return root;
}

export function fromFieldsV1(fields: unknown): FieldPath[] {
  const out: FieldPath[] = [];
  const walk = (node: unknown, prefix: FieldPath): void => {
    if (!isObject(node)) return;
    const children = Object.keys(node).filter((key) => key.startsWith('f:') || key.startsWith('k:'));
    if ((children.length === 0 || '.' in node) && prefix.length > 0) out.push(prefix);
    for (const name of children) walk(node[name], [...prefix, name.startsWith('f:') ? name.slice(2) : name]);
  };
  walk(fields, []);
  return out;
}

/** Deep merge for apply: maps merge by key, associative lists by element key, other lists are replaced. */
export function applyMerge(
  live: unknown,
  config: unknown,
  associative = false,
  path: FieldPath = [],
): unknown {
  const keys = associativeKeys(path, config, associative);
  if (keys && associativeKeys(path, live, associative)) {
    const result = clone(live) as Array<Record<string, unknown>>;
    for (const item of config as Array<Record<string, unknown>>) {
      const segment = elementSegment(item, keys);
      const index = result.findIndex((existing) => matchesSegment(existing, segment));
      if (index >= 0)
        result[index] = applyMerge(result[index], item, associative, [...path, segment]) as Record<
          string,
          unknown
        >;
      else result.push(clone(item));
    }
    return result;
  }
  if (!isObject(config) || !isObject(live)) return clone(config);
  const result = clone(live);
  for (const [key, value] of Object.entries(config))
    result[key] = applyMerge(result[key], value, associative, [...path, key]);
  return result;
}

/** Apply configurations never set a field to null: a null means "not specified". */
export function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) if (child !== null) out[key] = stripNulls(child);
  return out;
}

interface Entry {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource?: string;
  apiVersion: string;
  time: string;
  paths: Set<string>;
}

function readEntries(object: KubeObject | undefined): Entry[] {
  return (object?.metadata?.managedFields ?? []).map((entry) => ({
    manager: entry.manager,
    operation: entry.operation,
    ...(entry.subresource ? { subresource: entry.subresource } : {}),
    apiVersion: entry.apiVersion,
    time: entry.time,
    paths: new Set(fromFieldsV1(entry.fieldsV1).map(keyOf)),
  }));
}

function writeEntries(entries: Entry[]): ManagedFieldsEntry[] {
  return entries
    .filter((entry) => entry.paths.size > 0)
    .map((entry) => ({
      manager: entry.manager,
      operation: entry.operation,
      apiVersion: entry.apiVersion,
      time: entry.time,
      fieldsType: 'FieldsV1' as const,
      fieldsV1: toFieldsV1([...entry.paths].sort().map(pathOf)),
      ...(entry.subresource ? { subresource: entry.subresource } : {}),
    }));
}

function findEntry(
  entries: Entry[],
  manager: string,
  operation: 'Apply' | 'Update',
  subresource?: string,
): Entry | undefined {
  return entries.find(
    (entry) =>
      entry.manager === manager && entry.operation === operation && entry.subresource === subresource,
  );
}

function upsertEntry(
  entries: Entry[],
  manager: string,
  operation: 'Apply' | 'Update',
  subresource: string | undefined,
  apiVersion: string,
  time: string,
  paths: Set<string>,
): void {
  const existing = findEntry(entries, manager, operation, subresource);
  if (existing) {
    const changed =
      existing.apiVersion !== apiVersion ||
      existing.paths.size !== paths.size ||
      [...paths].some((path) => !existing.paths.has(path));
    existing.paths = paths;
    existing.apiVersion = apiVersion;
    if (changed) existing.time = time;
  } else {
    entries.push({ manager, operation, ...(subresource ? { subresource } : {}), apiVersion, time, paths });
  }
}

export interface FieldConflict {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  field: string;
}

/** `.spec.ports[port=80,protocol="TCP"].targetPort`, as structured-merge-diff prints paths. */
export function formatField(path: FieldPath): string {
  return path
    .map((segment) => {
      if (!segment.startsWith('k:')) return `.${segment}`;
      const key = JSON.parse(segment.slice(2)) as Record<string, unknown>;
      return `[${Object.entries(key)
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(',')}]`;
    })
    .join('');
}

function describe(conflict: FieldConflict): string {
  const sub = conflict.subresource ? ` with subresource "${conflict.subresource}"` : '';
  return conflict.operation === 'Update'
    ? `conflict with "${conflict.manager}" using ${conflict.apiVersion}${sub}`
    : `conflict with "${conflict.manager}"${sub}`;
}

/** The real server's message: `Apply failed with 1 conflict: conflict with "m" using apps/v1: .spec.replicas`. */
export function conflictMessage(conflicts: FieldConflict[]): string {
  const header = `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: `;
  if (conflicts.length === 1) return `${header}${describe(conflicts[0]!)}: ${conflicts[0]!.field}`;
  const byManager = new Map<string, string[]>();
  for (const conflict of conflicts) {
    const label = describe(conflict).replace(/^conflict/, 'conflicts');
    byManager.set(label, [...(byManager.get(label) ?? []), conflict.field]);
  }
  return (
    header +
    [...byManager]
      .map(([label, fields]) => `${label}:\n${fields.map((field) => `- ${field}`).join('\n')}`)
      .join('\n')
  );
}

export function conflictCauses(
  conflicts: FieldConflict[],
): Array<{ type: string; message: string; field: string }> {
  return conflicts.map((conflict) => ({
    type: 'FieldManagerConflict',
    message: describe(conflict),
    field: conflict.field,
  }));
}

export interface ApplyResult {
  object: KubeObject;
  conflicts: FieldConflict[];
}

/**
 * Server-side apply of `config` by `manager` onto `live` (undefined: the object is created).
 * Returns the conflicts instead of the object when another manager owns a field whose value would
 * change and `force` is not set.
 */
export function apply(options: {
  live: KubeObject | undefined;
  config: KubeObject;
  manager: string;
  force: boolean;
  apiVersion: string;
  now: string;
  hasStatus: boolean;
  scope: Scope;
  /** Built-in type: its associative lists merge by key (custom resources: every list atomic). */
  associative?: boolean;
}): ApplyResult {
  const { live, manager, force, apiVersion, now, hasStatus, scope } = options;
  const associative = options.associative ?? false;
  const subresource = scope === 'main' ? undefined : scope;
  const config = stripNulls(options.config) as KubeObject;
  const configPaths = leafPaths(config, scope, hasStatus, associative);
  const configKeys = new Set(configPaths.map(keyOf));
  const entries = readEntries(live);
  const others = entries.filter(
    (entry) =>
      !(entry.manager === manager && entry.operation === 'Apply' && entry.subresource === subresource),
  );

  const conflicts: FieldConflict[] = [];
  if (live) {
    for (const path of configPaths) {
      const current = getPath(live, path);
      if (current.exists && deepEqual(current.value, getPath(config, path).value)) continue;
      for (const entry of others) {
        if (entry.manager === manager) continue;
        const owned = [...entry.paths].map(pathOf).find((ownedPath) => overlaps(ownedPath, path));
        if (!owned) continue;
        conflicts.push({
          manager: entry.manager,
          operation: entry.operation,
          apiVersion: entry.apiVersion,
          ...(entry.subresource ? { subresource: entry.subresource } : {}),
          field: formatField(owned.length > path.length ? owned : path),
        });
      }
    }
  }
  if (conflicts.length > 0 && !force) return { object: live!, conflicts };

  // Forced: the applier takes the conflicting fields away from their owners.
  if (force) {
    for (const path of configPaths) {
      const current = live ? getPath(live, path) : { exists: false };
      if (current.exists && deepEqual(current.value, getPath(config, path).value)) continue;
      for (const entry of others) {
        for (const owned of [...entry.paths]) if (overlaps(pathOf(owned), path)) entry.paths.delete(owned);
      }
    }
  }

  const merged = applyMerge(live ?? {}, config, associative) as KubeObject;
  // Fields this manager applied before but no longer does are removed, unless someone else owns
  // them; a list element goes when all its fields do (its key fields are never removed alone).
  const previous = findEntry(entries, manager, 'Apply', subresource);
  const removable = [...(previous?.paths ?? [])]
    .filter((key) => !configKeys.has(key))
    .map(pathOf)
    .filter(
      (path) =>
        !configPaths.some((configPath) => overlaps(configPath, path)) &&
        !others.some((entry) => [...entry.paths].some((owned) => overlaps(pathOf(owned), path))),
    );
  const removableKeys = new Set(removable.map(keyOf));
  for (const path of removable) {
    let elementIndex = -1;
    path.forEach((segment, index) => {
      if (segment.startsWith('k:')) elementIndex = index;
    });
    if (elementIndex >= 0) {
      const elementPath = path.slice(0, elementIndex + 1);
      const element = getPath(merged, elementPath);
      if (!element.exists) continue;
      // Unowned fields (defaults) do not keep an element alive: the applier owned the element itself.
      const owned = leafPaths(element.value, scope, hasStatus, associative, elementPath).filter((leaf) =>
        entries.some((entry) => entry.paths.has(keyOf(leaf))),
      );
      if (owned.every((leaf) => removableKeys.has(keyOf(leaf)))) {
        deletePath(merged as Record<string, unknown>, elementPath);
        continue;
      }
      const keyNames = Object.keys(JSON.parse(path[elementIndex]!.slice(2)) as object);
      if (path.length === elementIndex + 2 && keyNames.includes(path[elementIndex + 1]!)) continue;
    }
    deletePath(merged as Record<string, unknown>, path);
  }

  upsertEntry(entries, manager, 'Apply', subresource, apiVersion, now, configKeys);
  merged.metadata = { ...(merged.metadata ?? {}), managedFields: writeEntries(entries) };
  return { object: merged, conflicts };
}

/**
 * Ownership after a non-apply write (create, update, patch): the writer takes every field whose
 * value it changed; other managers lose those fields. Never conflicts.
 */
export function recordUpdate(options: {
  previous: KubeObject | undefined;
  next: KubeObject;
  manager: string;
  apiVersion: string;
  now: string;
  hasStatus: boolean;
  scope: Scope;
  associative?: boolean;
}): ManagedFieldsEntry[] {
  const { previous, next, manager, apiVersion, now, hasStatus, scope } = options;
  const associative = options.associative ?? false;
  const subresource = scope === 'main' ? undefined : scope;
  const entries = readEntries(previous);
  const candidates = new Map<string, FieldPath>();
  for (const path of [
    ...leafPaths(previous ?? {}, scope, hasStatus, associative),
    ...leafPaths(next, scope, hasStatus, associative),
  ])
    candidates.set(keyOf(path), path);
  const changed = [...candidates.values()].filter(
    (path) => !deepEqual(getPath(previous ?? {}, path), getPath(next, path)),
  );
  if (changed.length === 0) return writeEntries(entries);
  const mine = findEntry(entries, manager, 'Update', subresource);
  const owned = new Set(mine?.paths ?? []);
  const nextLeaves = new Set(leafPaths(next, scope, hasStatus, associative).map(keyOf));
  for (const path of changed) {
    for (const entry of entries) {
      if (entry === mine) continue;
      for (const ownedPath of [...entry.paths])
        if (overlaps(pathOf(ownedPath), path)) entry.paths.delete(ownedPath);
    }
    for (const ownedPath of [...owned]) if (overlaps(pathOf(ownedPath), path)) owned.delete(ownedPath);
    if (nextLeaves.has(keyOf(path))) owned.add(keyOf(path));
  }
  upsertEntry(entries, manager, 'Update', subresource, apiVersion, now, owned);
  return writeEntries(entries);
}
