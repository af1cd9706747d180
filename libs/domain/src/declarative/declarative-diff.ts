/** One field that differs between the live and the desired spec; undefined means absent. */
export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The leaf fields that differ between two JSON values, in a stable order (object keys sorted,
 * array items by index). Key order never counts as a difference.
 */
export function diffValues(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => {
      const child = path === '' ? key : `${path}.${key}`;
      if (!(key in after) || after[key] === undefined)
        return before[key] === undefined ? [] : [{ path: child, before: before[key] }];
      if (!(key in before) || before[key] === undefined) return [{ path: child, after: after[key] }];
      return diffValues(before[key], after[key], child);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, index) => {
      const child = `${path}[${index}]`;
      if (index >= after.length) return [{ path: child, before: before[index] }];
      if (index >= before.length) return [{ path: child, after: after[index] }];
      return diffValues(before[index], after[index], child);
    }).flat();
  }
  return sameJson(before, after) ? [] : [{ path: path === '' ? '(value)' : path, before, after }];
}

/** Equal as JSON documents, whatever the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  return keySortedJson(a) === keySortedJson(b);
}

/** JSON with object keys sorted at every level. */
function keySortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isPlainObject(value))
    return Object.fromEntries(
      Object.keys(value)
        .filter((key) => value[key] !== undefined)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  return value;
}
