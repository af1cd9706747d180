import { DomainError } from '@lattice/domain';
import { bearerToken } from './auth.service';

describe('bearerToken', () => {
  it('takes the token of a Bearer header, whatever the scheme case and trailing space', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   lat_x_y  ')).toBe('lat_x_y');
  });

  it.each([
    [undefined, 'missing Authorization header (expected "Bearer <token>")'],
    ['', 'missing Authorization header (expected "Bearer <token>")'],
    ['Basic dXNlcjpwYXNz', 'malformed Authorization header (expected "Bearer <token>")'],
    ['Bearer a b', 'malformed Authorization header (expected "Bearer <token>")'],
  ])('refuses %p as UNAUTHENTICATED', (header, message) => {
    let thrown: unknown;
    try {
      bearerToken(header);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ code: 'UNAUTHENTICATED', message });
  });
});
