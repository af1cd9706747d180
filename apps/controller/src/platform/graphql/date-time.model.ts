import { GraphQLError, GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';

/**
 * RFC 3339 date-time (section 5.6): full date, `T`, time with optional fraction, and a zone
 * (`Z` or ±hh:mm). No date-only, no epoch numbers, no locale formats.
 */
const RFC3339_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

const EXPECTED = 'an RFC 3339 date-time string such as "2026-01-31T12:00:00Z"';

/** The Date a strict RFC 3339 date-time string denotes, or undefined (wrong shape or no such day/time). */
export function parseRfc3339DateTime(text: string): Date | undefined {
  const match = RFC3339_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = match[9] === undefined ? 0 : Number(match[9]);
  const offsetMinutes = match[10] === undefined ? 0 : Number(match[10]);
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  // The calendar check: 2026-02-30 rolls over in Date.UTC, so a different day means no such date.
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (
    month < 1 ||
    month > 12 ||
    calendar.getUTCFullYear() !== year ||
    calendar.getUTCMonth() !== month - 1 ||
    calendar.getUTCDate() !== day
  ) {
    return undefined;
  }
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The client's mistake, so BAD_USER_INPUT (answered 400), naming the value that was refused. */
function refused(got: string, nodes?: ValueNode): GraphQLError {
  return new GraphQLError(`DateTime must be ${EXPECTED}; got ${got}`, {
    ...(nodes ? { nodes } : {}),
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

/** At most this many characters of a refused value are echoed back. */
function shown(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}

/**
 * The one DateTime scalar of the schema. Unlike @nestjs/graphql's GraphQLISODateTime (which turns an
 * inline `123`, `true` or `{}` into null and a variable "FOO" into an Invalid Date, so resolvers
 * failed with a TypeError and a 500), input that is not an RFC 3339 date-time string is refused
 * before any resolver runs. Output: a Date as its ISO string.
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description:
    'A date-time string as in RFC 3339, such as 2026-01-31T12:00:00Z or 2026-01-31T14:00:00.000+02:00. ' +
    'Anything else is refused with BAD_USER_INPUT.',
  specifiedByURL: 'https://datatracker.ietf.org/doc/html/rfc3339#section-5.6',
  serialize(value: unknown): string {
    const date =
      value instanceof Date ? value : typeof value === 'string' ? parseRfc3339DateTime(value) : undefined;
    if (!date || Number.isNaN(date.getTime())) {
      throw new GraphQLError('DateTime cannot represent a value that is not a valid date');
    }
    return date.toISOString();
  },
  parseValue(value: unknown): Date {
    if (typeof value !== 'string')
      throw refused(value === null ? 'null' : `a ${Array.isArray(value) ? 'list' : typeof value}`);
    const date = parseRfc3339DateTime(value);
    if (!date) throw refused(JSON.stringify(shown(value)));
    return date;
  },
  parseLiteral(ast: ValueNode): Date {
    if (ast.kind !== Kind.STRING) throw refused(shown(print(ast)), ast);
    const date = parseRfc3339DateTime(ast.value);
    if (!date) throw refused(JSON.stringify(shown(ast.value)), ast);
    return date;
  },
});
