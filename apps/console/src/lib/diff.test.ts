import { describe, expect, it } from 'vitest';
import { diffLines, objectDiffs, objectKey } from './diff';

describe('diffLines', () => {
  it('keeps common lines and marks the rest added or removed', () => {
    expect(diffLines('a\nb\nc', 'a\nx\nc')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'added', text: 'x' },
      { kind: 'same', text: 'c' },
    ]);
    expect(diffLines('', 'a')).toEqual([{ kind: 'added', text: 'a' }]);
    expect(diffLines('a', '')).toEqual([{ kind: 'removed', text: 'a' }]);
  });
});

describe('objectDiffs', () => {
  const vs = (weight: number) => ({
    kind: 'VirtualService',
    metadata: { namespace: 'bookinfo', name: 'reviews' },
    spec: { http: [{ route: [{ weight }] }] },
  });
  const dr = { kind: 'DestinationRule', metadata: { namespace: 'bookinfo', name: 'reviews' }, spec: {} };
  const se = { kind: 'ServiceEntry', metadata: { namespace: 'bookinfo', name: 'x' }, spec: {} };

  it('pairs objects by Kind/namespace/name and diffs only what changed', () => {
    expect(objectKey(vs(1))).toBe('VirtualService/bookinfo/reviews');
    const diffs = objectDiffs([vs(80), se], [vs(90), se, dr]);
    expect(diffs.map((d) => [d.key, d.change])).toEqual([
      ['DestinationRule/bookinfo/reviews', 'added'],
      ['VirtualService/bookinfo/reviews', 'changed'],
    ]);
    const changed = diffs[1]!.lines.filter((l) => l.kind !== 'same').map((l) => `${l.kind} ${l.text.trim()}`);
    expect(changed).toEqual(['removed "weight": 80', 'added "weight": 90']);
    expect(objectDiffs([se], [])).toMatchObject([{ key: 'ServiceEntry/bookinfo/x', change: 'removed' }]);
  });
});
