import { DomainError } from '@lattice/domain';
import { bearerToken } from './auth.service';

function refusal(header: string | undefined): unknown {
  try {
    bearerToken(header);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('bearerToken (RFC 9110 credentials = auth-scheme 1*SP token68)', () => {
  it('takes the token of a Bearer header, whatever the scheme case and the number of spaces', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   lat_x_y  ')).toBe('lat_x_y');
  });

  it('yields one canonical token for every accepted spelling of the same credentials', () => {
    const token = 'lat_abcdefgh_0123456789abcdefghijABCDEFGHIJ-_';
    const spellings = [
      `Bearer ${token}`,
      `bearer ${token}`,
      `BEARER ${token}`,
      `BeArEr  ${token}`,
      ` Bearer ${token} `,
    ];
    expect(new Set(spellings.map(bearerToken))).toEqual(new Set([token]));
  });

  it('accepts every token68 character, trailing "=" included, and keeps the token case', () => {
    expect(bearerToken('Bearer aZ09-._~+/==')).toBe('aZ09-._~+/==');
    expect(bearerToken('Bearer ABC')).toBe('ABC');
  });

  it.each([
    [undefined, 'missing Authorization header (expected "Bearer <token>")'],
    ['', 'missing Authorization header (expected "Bearer <token>")'],
    ['   ', 'missing Authorization header (expected "Bearer <token>")'],
    ['Basic dXNlcjpwYXNz', 'unsupported authorization scheme "Basic" (expected "Bearer <token>")'],
    ['Bearers abc', 'unsupported authorization scheme "Bearers" (expected "Bearer <token>")'],
    [
      'Bearer\tabc',
      'malformed Authorization header: separate the scheme and the token with spaces, not tabs (expected "Bearer <token>")',
    ],
    [
      'Bearer \tabc',
      'malformed Authorization header: the token must be one token68 value (letters, digits, "-._~+/", trailing "=") (expected "Bearer <token>")',
    ],
    ['Bearer', 'malformed Authorization header: no token after the scheme (expected "Bearer <token>")'],
    [
      'Bearer a b',
      'malformed Authorization header: the token must be one token68 value (letters, digits, "-._~+/", trailing "=") (expected "Bearer <token>")',
    ],
    [
      'Bearer a=b',
      'malformed Authorization header: the token must be one token68 value (letters, digits, "-._~+/", trailing "=") (expected "Bearer <token>")',
    ],
    [
      'Bearer ab\u00e9',
      'malformed Authorization header: the token must be one token68 value (letters, digits, "-._~+/", trailing "=") (expected "Bearer <token>")',
    ],
  ])('refuses %p as UNAUTHENTICATED with a message naming the problem', (header, message) => {
    const thrown = refusal(header);
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ code: 'UNAUTHENTICATED', message });
  });
});
