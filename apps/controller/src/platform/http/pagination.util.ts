import { DomainError } from '@lattice/domain';
import type { PageQueryDto } from './pagination.dto';

export interface PageRequest {
  limit: number;
  after?: { createdAt: Date; id: string };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function pageRequest(query: PageQueryDto): PageRequest {
  const limit = query.limit ?? 20;
  if (!query.cursor) return { limit };
  return { limit, after: decodeCursor(query.cursor) };
}

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (extra !== undefined || !id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw DomainError.validation([{ field: 'cursor', message: 'is not a cursor returned by this API' }]);
  }
  return { createdAt, id };
}

/** Keyset condition for rows after the cursor in (createdAt, id) order. */
export function cursorWhere(page: PageRequest): object {
  if (!page.after) return {};
  const { createdAt, id } = page.after;
  return { OR: [{ createdAt: { gt: createdAt } }, { createdAt, id: { gt: id } }] };
}

/** Rows were fetched with `take: limit + 1`; the extra row only tells whether there is a next page. */
export function pageOf<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}

/** Every item of a paged list, fetched page by page (for exports; tenants' configuration is small). */
export async function allItems<T>(fetchPage: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let page: PageRequest = { limit: 100 };
  for (;;) {
    const result = await fetchPage(page);
    items.push(...result.items);
    if (result.nextCursor === null) return items;
    page = { limit: 100, after: decodeCursor(result.nextCursor) };
  }
}
