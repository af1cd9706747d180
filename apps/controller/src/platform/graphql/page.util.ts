import { Int, type ArgsOptions } from '@nestjs/graphql';
import { DomainError } from '@lattice/domain';
import { encodeCursor, pageRequest, type Page, type PageRequest } from '../http/pagination.util';
import type { Connection } from './connection.model';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** The `first` argument of every connection field. */
export const FIRST_ARG: ArgsOptions = {
  type: () => Int,
  defaultValue: DEFAULT_PAGE_SIZE,
  description: `How many items to return: 1..${MAX_PAGE_SIZE}.`,
};

/** The `after` argument of every connection field. */
export const AFTER_ARG: ArgsOptions = {
  type: () => String,
  nullable: true,
  description:
    'Return the items after this cursor: `pageInfo.endCursor` or an edge `cursor` of an earlier page.',
};

/**
 * A REST page (`items`, `nextCursor`) as a GraphQL connection (`edges`, `nodes`, `pageInfo`), for
 * the `request` it answers. Each edge's cursor is the item's place in the list's keyset order
 * (`orderOf`): the cursor REST gives as `nextCursor` for a page ending at that item.
 */
export function toConnection<T>(
  page: Page<T>,
  request: PageRequest,
  orderOf: (item: T) => { createdAt: Date; id: string },
): Connection<T> {
  const edges = page.items.map((node) => ({ cursor: encodeCursor(orderOf(node)), node }));
  return {
    edges,
    nodes: page.items,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasNextPage: page.nextCursor !== null,
      hasPreviousPage: request.after !== undefined,
    },
  };
}

/** The keyset order of resources listed oldest first (clusters, Global Namespaces, SLOs). */
export function byCreation(item: { createdAt: Date; id: string }): { createdAt: Date; id: string } {
  return item;
}

/** `first` (1..100) and `after` (a cursor from this API), with errors that name the argument. */
export function pageArgs(first: number, after: string | null | undefined): PageRequest {
  checkFirst(first, 'first');
  try {
    return pageRequest({ limit: first, cursor: after ?? undefined });
  } catch (error) {
    if (error instanceof DomainError) {
      throw DomainError.validation([{ field: 'after', message: 'is not a cursor returned by this API' }]);
    }
    throw error;
  }
}

export function checkFirst(value: number, argument: string): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw DomainError.validation([
      { field: argument, message: `must be between 1 and ${MAX_PAGE_SIZE}, got ${value}` },
    ]);
  }
}

/** Cost of a list field: its items times their fields (capped, so a refused `first` reports itself). */
export function listComplexity({
  args,
  childComplexity,
}: {
  args: Record<string, unknown>;
  childComplexity: number;
}): number {
  const first =
    typeof args.first === 'number' ? Math.min(Math.max(args.first, 1), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  return 1 + first * Math.max(childComplexity, 1);
}

/** The most points a time series returns (the resolvers refuse more). */
export const MAX_SERIES_POINTS = 1_440;
/** Points of a series that cost as much as one field: a point is small, but not free. */
export const POINTS_PER_COST_UNIT = 10;

/**
 * Cost of a time series field (`from`, `to`, `step` in seconds): priced by the points it returns,
 * times the fields asked of each, so a few day-long minute series are affordable and a dozen are
 * not. Arguments the resolver will refuse (a reversed range, a step of 0) cost the base only.
 */
export function seriesComplexity({
  args,
  childComplexity,
}: {
  args: Record<string, unknown>;
  childComplexity: number;
}): number {
  return 10 + Math.ceil((seriesPoints(args) * Math.max(childComplexity, 1)) / POINTS_PER_COST_UNIT);
}

export function seriesPoints(args: Record<string, unknown>): number {
  const from = timeOf(args.from);
  const to = timeOf(args.to);
  const step = typeof args.step === 'number' ? args.step : Number.NaN;
  if (from === undefined || to === undefined || !(step > 0) || !(to > from)) return 1;
  return Math.min(Math.ceil((to - from) / (step * 1000)), MAX_SERIES_POINTS);
}

function timeOf(value: unknown): number | undefined {
  const time =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(time) ? time : undefined;
}
