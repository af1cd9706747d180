import {
  compileMatchConditions,
  compileSelector,
  type MatchCondition,
  validateMatchConditions,
} from './match-conditions';
import { findRegexHazard } from './regex-safety';

const exact = (value: string) => ({ type: 'EXACT' as const, value });
const prefix = (value: string) => ({ type: 'PREFIX' as const, value });
const regex = (value: string) => ({ type: 'REGEX' as const, value });
const condition = (
  cluster: MatchCondition['cluster'],
  namespace: MatchCondition['namespace'],
): MatchCondition => ({ cluster, namespace });

describe('validateMatchConditions', () => {
  it('accepts well-formed conditions of every selector type', () => {
    expect(
      validateMatchConditions([
        condition(exact('prod-east'), exact('shop')),
        condition(prefix('prod-'), prefix('shop-')),
        condition(regex('prod-(east|west)'), regex('shop-[a-z0-9]+')),
      ]),
    ).toEqual([]);
  });

  it('refuses an empty list, since it would match nothing', () => {
    expect(validateMatchConditions([])).toEqual([
      { field: 'matchConditions', message: expect.stringContaining('at least one') },
    ]);
  });

  it('refuses more than 50 conditions', () => {
    const many = Array.from({ length: 51 }, () => condition(exact('a'), exact('b')));
    expect(validateMatchConditions(many)).toEqual([
      { field: 'matchConditions', message: expect.stringContaining('at most 50') },
    ]);
  });

  it('addresses each error by its path', () => {
    const errors = validateMatchConditions([
      condition(exact('ok'), exact('ok')),
      condition(exact(''), { type: 'GLOB' as 'EXACT', value: 'x' }),
    ]);
    expect(errors).toEqual([
      { field: 'matchConditions[1].cluster.value', message: 'must be a non-empty string' },
      { field: 'matchConditions[1].namespace.type', message: 'must be one of EXACT, PREFIX, REGEX' },
    ]);
  });

  it('reports a missing selector', () => {
    const broken = [{ cluster: exact('a') } as MatchCondition];
    expect(validateMatchConditions(broken)).toEqual([
      { field: 'matchConditions[0].namespace', message: 'is required' },
    ]);
  });

  it('refuses values longer than any name they could match', () => {
    expect(validateMatchConditions([condition(exact('c'), exact('a'.repeat(64)))])).toEqual([
      { field: 'matchConditions[0].namespace.value', message: expect.stringContaining('at most 63') },
    ]);
    expect(validateMatchConditions([condition(prefix('c'.repeat(254)), exact('a'))])).toEqual([
      { field: 'matchConditions[0].cluster.value', message: expect.stringContaining('at most 253') },
    ]);
    expect(validateMatchConditions([condition(regex(`${'a'.repeat(257)}`), exact('a'))])).toEqual([
      { field: 'matchConditions[0].cluster.value', message: expect.stringContaining('at most 256') },
    ]);
  });

  it('refuses namespace values no namespace can have', () => {
    expect(validateMatchConditions([condition(exact('c'), exact('Shop'))])[0].message).toContain(
      'valid namespace name',
    );
    expect(validateMatchConditions([condition(exact('c'), exact('shop-'))])[0].message).toContain(
      'valid namespace name',
    );
    // A prefix may end in "-": "shop-" is the start of "shop-1".
    expect(validateMatchConditions([condition(exact('c'), prefix('shop-'))])).toEqual([]);
    expect(validateMatchConditions([condition(exact('c'), prefix('-shop'))])[0].message).toContain(
      'start of a valid namespace name',
    );
  });

  it('refuses a regex that does not compile, quoting the engine', () => {
    const [error] = validateMatchConditions([condition(regex('shop-(['), exact('a'))]);
    expect(error.field).toBe('matchConditions[0].cluster.value');
    expect(error.message).toMatch(/^regex refused: does not compile as RE2: /);
  });

  it('refuses what RE2 refuses and says why', () => {
    const [error] = validateMatchConditions([condition(exact('c'), regex('(?=shop)shop'))]);
    expect(error).toEqual({
      field: 'matchConditions[0].namespace.value',
      message: expect.stringContaining('lookarounds'),
    });
  });
});

/** Envoy evaluates regexes with RE2; so does Lattice (re2js), whether Envoy or the controller runs them. */
describe('findRegexHazard (RE2 semantics)', () => {
  it.each([
    ['shop'],
    ['shop-.*'],
    ['prod-(east|west)-[0-9]+'],
    ['(ab|cd)+'],
    ['[a-z]{1,10}-\\d+'],
    ['(?:team-)?shop'],
    ['shop(-[a-z0-9]+)?'],
    ['(?i)^beta$'],
    ['(?P<g>x)'],
    ['(?<g>x)'],
    ['(?<env>prod|stage)-x'],
    ['a{1000}'],
    // Linear-time in RE2: the shapes that backtrack catastrophically in JavaScript are harmless.
    ['(a+)+'],
    ['(a|ab)+c'],
    ['.*.*.*.*x'],
  ])('accepts %s', (pattern) => {
    expect(findRegexHazard(pattern)).toBeNull();
  });

  it.each([
    ['a{1001}', 'invalid repeat count'],
    ['(?=a)b', 'lookarounds'],
    ['(?!a)b', 'lookarounds'],
    ['(?<=a)b', 'lookarounds'],
    ['(?<!a)b', 'lookarounds'],
    ['(a)\\1', 'backreferences'],
    ['(?<x>a)\\k<x>', 'backreferences'],
    ['a{2,1}', 'does not compile as RE2'],
    ['shop-([', 'does not compile as RE2'],
  ])('refuses %s (%s)', (pattern, reason) => {
    expect(findRegexHazard(pattern)).toContain(reason);
  });

  it('matches a pathological pattern in linear time instead of backtracking', () => {
    // `(a+)+b` against a's only takes exponential time in a backtracking engine.
    expect(compileSelector(regex('(a+)+b'))('a'.repeat(253))).toBe(false);
  });

  it('honours RE2 flags and named groups when matching', () => {
    expect(compileSelector(regex('(?i)shop-(?P<n>[0-9]+)'))('SHOP-12')).toBe(true);
  });
});

describe('compileSelector', () => {
  it('matches EXACT and PREFIX literally', () => {
    expect(compileSelector(exact('shop'))('shop')).toBe(true);
    expect(compileSelector(exact('shop'))('shop-1')).toBe(false);
    expect(compileSelector(prefix('shop-'))('shop-1')).toBe(true);
    expect(compileSelector(prefix('shop-'))('my-shop-1')).toBe(false);
  });

  it('anchors a REGEX at both ends', () => {
    const matches = compileSelector(regex('shop|cart'));
    expect(matches('shop')).toBe(true);
    expect(matches('cart')).toBe(true);
    // Unanchored, "shop|cart" would match both of these.
    expect(matches('workshop')).toBe(false);
    expect(matches('cart-2')).toBe(false);
    expect(compileSelector(regex('^shop-.*$'))('shop-1')).toBe(true);
  });

  it('treats regex metacharacters in EXACT and PREFIX as text', () => {
    expect(compileSelector(exact('a.b'))('axb')).toBe(false);
    expect(compileSelector(prefix('a.'))('axb')).toBe(false);
  });

  it('matches nothing with a stored selector that is no longer accepted', () => {
    expect(compileSelector(regex('(?=a)a'))('a')).toBe(false);
    expect(compileSelector(regex(''))('')).toBe(false);
    expect(compileSelector(prefix(''))('anything')).toBe(false);
  });
});

describe('compileMatchConditions', () => {
  it('needs both selectors of one condition to match, and any condition to match', () => {
    const matches = compileMatchConditions([
      condition(exact('east'), exact('shop')),
      condition(prefix('west'), regex('cart-\\d')),
    ]);
    expect(matches('east', 'shop')).toBe(true);
    expect(matches('east', 'cart-1')).toBe(false);
    expect(matches('west-2', 'cart-1')).toBe(true);
    expect(matches('west-2', 'shop')).toBe(false);
  });
});
