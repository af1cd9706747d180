import { encodeCursor } from '../http/pagination.util';
import { byCreation, pageArgs, seriesComplexity, seriesPoints, toConnection } from './page.util';

describe('toConnection', () => {
  const items = ['a', 'b'].map((id, index) => ({
    id: `00000000-0000-4000-8000-00000000000${index}`,
    name: id,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, index)),
  }));

  it('gives each edge the keyset cursor of its item, and the page its first and last cursors', () => {
    const connection = toConnection(
      { items, nextCursor: encodeCursor(items[1]!) },
      pageArgs(2, null),
      byCreation,
    );
    expect(connection.nodes).toBe(items);
    expect(connection.edges).toEqual(items.map((node) => ({ cursor: encodeCursor(node), node })));
    expect(connection.pageInfo).toEqual({
      startCursor: encodeCursor(items[0]!),
      endCursor: encodeCursor(items[1]!),
      hasNextPage: true,
      hasPreviousPage: false,
    });
    // An edge cursor is a cursor `after` accepts.
    expect(pageArgs(1, connection.edges[0]!.cursor).after).toEqual({
      createdAt: items[0]!.createdAt,
      id: items[0]!.id,
    });
  });

  it('answers an empty last page after a cursor with null cursors', () => {
    const request = pageArgs(5, encodeCursor(items[1]!));
    expect(toConnection({ items: [], nextCursor: null }, request, byCreation).pageInfo).toEqual({
      startCursor: null,
      endCursor: null,
      hasNextPage: false,
      hasPreviousPage: true,
    });
  });

  it('refuses a `first` out of range and an `after` that is not a cursor, naming the argument', () => {
    expect(() => pageArgs(101, null)).toThrow(/first/);
    expect(() => pageArgs(0, null)).toThrow(/first/);
    expect(() => pageArgs(1, 'not-a-cursor')).toThrow(/after/);
  });
});

const DAY = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-02T00:00:00Z') };

describe('seriesComplexity', () => {
  it('counts the points a series returns, capped at 1,440', () => {
    expect(seriesPoints({ ...DAY, step: 60 })).toBe(1_440);
    expect(seriesPoints({ ...DAY, step: 300 })).toBe(288);
    expect(seriesPoints({ from: DAY.from.toISOString(), to: DAY.to.toISOString(), step: 3600 })).toBe(24);
    expect(seriesPoints({ from: DAY.from, to: new Date('2026-03-01T00:00:00Z'), step: 60 })).toBe(1_440);
  });

  it('prices arguments the resolver refuses at the base', () => {
    expect(seriesPoints({ ...DAY, step: 0 })).toBe(1);
    expect(seriesPoints({ from: DAY.to, to: DAY.from, step: 60 })).toBe(1);
    expect(seriesPoints({ from: null, to: DAY.to, step: 60 })).toBe(1);
  });

  it('grows with points and fields per point', () => {
    expect(seriesComplexity({ args: { ...DAY, step: 60 }, childComplexity: 3 })).toBe(10 + 432);
    expect(seriesComplexity({ args: { ...DAY, step: 3600 }, childComplexity: 3 })).toBe(10 + 8);
    // 12 day-long minute series of 3 fields are over the 1,000 limit; two are not.
    expect(12 * seriesComplexity({ args: { ...DAY, step: 60 }, childComplexity: 3 })).toBeGreaterThan(1_000);
    expect(2 * seriesComplexity({ args: { ...DAY, step: 60 }, childComplexity: 3 })).toBeLessThan(1_000);
  });
});
