import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

/** A coordinate as the changelog lists it: `Type`, `Type.field` or `Type.field.argument`. */
const COORDINATE = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/;

/**
 * The schema coordinates listed in the changelog's breaking sections: every `code span` that is a
 * coordinate, on the lines under a heading that says "breaking" (up to the next heading of the same
 * or a higher level).
 */
export function listedBreakingCoordinates(changelog: string): Set<string> {
  const listed = new Set<string>();
  let breakingLevel: number | undefined;
  for (const line of changelog.split('\n')) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = heading[1]!.length;
      if (breakingLevel !== undefined && level <= breakingLevel) breakingLevel = undefined;
      if (breakingLevel === undefined && /breaking/i.test(heading[2]!)) breakingLevel = level;
      continue;
    }
    if (breakingLevel === undefined) continue;
    for (const span of line.matchAll(/`([^`]+)`/g)) {
      if (COORDINATE.test(span[1]!)) listed.add(span[1]!);
    }
  }
  return listed;
}

/** The breaking changes from `before` to `after` (SDL texts), as graphql-inspector judges them. */
export async function breakingChanges(before: string, after: string): Promise<Change[]> {
  const changes = await diff(buildSchema(before), buildSchema(after));
  return changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
}

/** A change is listed when its coordinate, or a coordinate that contains it (`Slo` for `Slo.events`), is. */
export function isListed(change: Pick<Change, 'path'>, listed: ReadonlySet<string>): boolean {
  if (!change.path) return false;
  const parts = change.path.split('.');
  return parts.some((_, index) => listed.has(parts.slice(0, index + 1).join('.')));
}

/** The breaking changes from `before` to `after` that the changelog does not list, as readable lines. */
export async function unlistedBreakingChanges(
  before: string,
  after: string,
  changelog: string,
): Promise<string[]> {
  const listed = listedBreakingCoordinates(changelog);
  return (await breakingChanges(before, after))
    .filter((change) => !isListed(change, listed))
    .map((change) => `${change.path ?? '(schema)'}: ${change.message}`);
}
