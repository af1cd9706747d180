/** A line diff (longest common subsequence) of two texts, for the policy dry-run view. */
export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

export function diffLines(before: string, after: string): DiffLine[] {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..]
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ kind: 'removed', text: a[i++]! });
    else out.push({ kind: 'added', text: b[j++]! });
  }
  while (i < n) out.push({ kind: 'removed', text: a[i++]! });
  while (j < m) out.push({ kind: 'added', text: b[j++]! });
  return out;
}

/** `Kind/namespace/name` of a rendered Kubernetes object, the key the dry run lists changes by. */
export function objectKey(object: Record<string, unknown>): string {
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  return [object.kind, metadata.namespace, metadata.name].filter((part) => part !== undefined).join('/');
}

/** Objects of the current and proposed renderings paired by key, with their line diff (changed ones only). */
export function objectDiffs(
  current: readonly Record<string, unknown>[],
  proposed: readonly Record<string, unknown>[],
): { key: string; change: 'added' | 'removed' | 'changed'; lines: DiffLine[] }[] {
  const before = new Map(current.map((o) => [objectKey(o), o]));
  const after = new Map(proposed.map((o) => [objectKey(o), o]));
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  const result: { key: string; change: 'added' | 'removed' | 'changed'; lines: DiffLine[] }[] = [];
  for (const key of keys) {
    const a = before.has(key) ? JSON.stringify(before.get(key), null, 2) : '';
    const b = after.has(key) ? JSON.stringify(after.get(key), null, 2) : '';
    if (a === b) continue;
    result.push({
      key,
      change: a === '' ? 'added' : b === '' ? 'removed' : 'changed',
      lines: diffLines(a, b),
    });
  }
  return result;
}
