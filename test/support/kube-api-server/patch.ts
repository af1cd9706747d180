/**
 * The three non-apply PATCH formats ("Patch operations" in the API conventions / `kubectl patch`):
 * JSON merge patch (RFC 7386), strategic merge patch (built-in types only) and JSON patch (RFC 6902).
 */
import { errors } from './errors';
import { clone, deepEqual, isObject } from './util';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * Merge keys of the built-in list fields a strategic merge patch merges by key (`patchMergeKey` in
 * the Go types). Any other list is replaced, as for lists without a patch strategy.
 */
function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'conditions':
      return 'type';
    case 'ports':
      return items.some((item) => isObject(item) && 'containerPort' in item) ? 'containerPort' : 'port';
    default:
      return undefined;
  }
}

export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const directive = patch['$patch'];
  if (directive === 'replace') {
    const replaced = clone(patch);
    delete replaced['$patch'];
    return replaced;
  }
  if (directive === 'delete') return undefined;
  const result: Record<string, unknown> = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(result[field]) && Array.isArray(value)) {
        result[field] = (result[field] as unknown[]).filter(
          (item) => !value.some((gone) => deepEqual(gone, item)),
        );
      }
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    if (Array.isArray(value)) {
      const current = result[key];
      const mergeKey = mergeKeyFor(key, [...value, ...(Array.isArray(current) ? current : [])]);
      if (mergeKey && Array.isArray(current)) {
        const merged = clone(current);
        for (const item of value) {
          if (!isObject(item)) continue;
          const index = merged.findIndex(
            (existing) => isObject(existing) && deepEqual(existing[mergeKey], item[mergeKey]),
          );
          if (item['$patch'] === 'delete') {
            if (index >= 0) merged.splice(index, 1);
          } else if (index >= 0) merged[index] = strategicMergePatch(merged[index], item);
          else merged.push(strategicMergePatch(undefined, item));
        }
        result[key] = merged;
      } else {
        result[key] = value
          .filter((item) => !(isObject(item) && item['$patch'] === 'delete'))
          .map((item) => strategicMergePatch(undefined, item));
      }
      continue;
    }
    const next = strategicMergePatch(result[key], value);
    if (next === undefined) delete result[key];
    else result[key] = next;
  }
  return result;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw errors.badRequest(
      `the server rejected our request due to an error in our request: invalid JSON pointer "${pointer}"`,
    );
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface PatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations))
    throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let document = clone(target);
  const fail = (message: string): never => {
    throw new (class extends Error {})(message);
  };
  const parentOf = (tokens: string[]): { parent: unknown; key: string } => {
    let parent: unknown = document;
    for (const token of tokens.slice(0, -1)) {
      if (Array.isArray(parent)) parent = parent[Number(token)];
      else if (isObject(parent)) parent = parent[token];
      else parent = undefined;
      if (parent === undefined) fail(`doc is missing path: "/${tokens.join('/')}"`);
    }
    return { parent, key: tokens[tokens.length - 1]! };
  };
  const read = (tokens: string[]): unknown => {
    if (tokens.length === 0) return document;
    const { parent, key } = parentOf(tokens);
    const value = Array.isArray(parent) ? parent[Number(key)] : isObject(parent) ? parent[key] : undefined;
    if (value === undefined) fail(`doc is missing path: "/${tokens.join('/')}"`);
    return value;
  };
  const remove = (tokens: string[]): unknown => {
    const value = read(tokens);
    const { parent, key } = parentOf(tokens);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, unknown>)[key];
    return value;
  };
  const add = (tokens: string[], value: unknown, replace: boolean): void => {
    if (tokens.length === 0) {
      document = clone(value);
      return;
    }
    const { parent, key } = parentOf(tokens);
    if (Array.isArray(parent)) {
      const index = key === '-' ? parent.length : Number(key);
      if (!Number.isInteger(index) || index < 0 || index > parent.length)
        fail(`Unable to access invalid index: ${key}`);
      if (replace) parent[index] = clone(value);
      else parent.splice(index, 0, clone(value));
    } else if (isObject(parent)) parent[key] = clone(value);
    else fail(`doc is missing path: "/${tokens.join('/')}"`);
  };
  try {
    for (const raw of operations as PatchOperation[]) {
      const tokens = decodePointer(raw.path);
      switch (raw.op) {
        case 'add':
          add(tokens, raw.value, false);
          break;
        case 'remove':
          remove(tokens);
          break;
        case 'replace':
          read(tokens);
          add(tokens, raw.value, true);
          break;
        case 'move':
          add(tokens, remove(decodePointer(raw.from ?? '')), false);
          break;
        case 'copy':
          add(tokens, read(decodePointer(raw.from ?? '')), false);
          break;
        case 'test':
          if (!deepEqual(read(tokens), raw.value)) fail(`testing value ${raw.path} failed`);
          break;
        default:
          fail(`Unexpected kind: ${raw.op}`);
      }
    }
  } catch (error) {
    if (error instanceof Error && !('code' in error)) {
      throw errors.invalidPatch(error.message);
    }
    throw error;
  }
  return document;
}
