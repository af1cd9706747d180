import { GraphQLError, parseValue } from 'graphql';
import { DateTimeScalar, parseRfc3339DateTime } from './date-time.model';

function refusal(run: () => unknown): GraphQLError {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected a GraphQLError');
}

describe('DateTimeScalar', () => {
  it('parses RFC 3339 date-times, inline and as variables, with any offset', () => {
    expect(DateTimeScalar.parseLiteral(parseValue('"2026-01-31T12:00:00Z"'))).toEqual(
      new Date('2026-01-31T12:00:00.000Z'),
    );
    expect(DateTimeScalar.parseValue('2026-01-31T14:00:00.5+02:00')).toEqual(
      new Date('2026-01-31T12:00:00.500Z'),
    );
    expect(DateTimeScalar.parseValue('2024-02-29t00:00:00z')).toEqual(new Date('2024-02-29T00:00:00Z'));
  });

  it.each(['123', 'FOO', '[1, 2]', 'true', '{}', 'null', '1.5', '"2026-01-31"', '"yesterday"'])(
    'refuses the inline literal %s with BAD_USER_INPUT naming it',
    (literal) => {
      const error = refusal(() => DateTimeScalar.parseLiteral(parseValue(literal)));
      expect(error.extensions.code).toBe('BAD_USER_INPUT');
      expect(error.message).toMatch(/^DateTime must be an RFC 3339 date-time string .*; got /);
    },
  );

  it.each([
    123,
    'FOO',
    [1, 2],
    true,
    {},
    null,
    '',
    '2026-01-31',
    '2026-01-31 12:00:00Z',
    'Sat, 31 Jan 2026 12:00:00 GMT',
  ])('refuses the variable value %j with BAD_USER_INPUT', (value) => {
    expect(refusal(() => DateTimeScalar.parseValue(value)).extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses days and times that do not exist', () => {
    for (const text of [
      '2026-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:60:00Z',
      '2026-01-01T00:00:00+24:00',
    ]) {
      expect(parseRfc3339DateTime(text)).toBeUndefined();
    }
  });

  it('echoes at most 64 characters of a refused value', () => {
    expect(refusal(() => DateTimeScalar.parseValue('x'.repeat(10_000))).message.length).toBeLessThan(200);
  });

  it('serialises dates as ISO strings and refuses to serialise anything else', () => {
    expect(DateTimeScalar.serialize(new Date('2026-01-31T12:00:00Z'))).toBe('2026-01-31T12:00:00.000Z');
    expect(() => DateTimeScalar.serialize(new Date('nope'))).toThrow(GraphQLError);
    expect(() => DateTimeScalar.serialize(123)).toThrow(GraphQLError);
  });
});
