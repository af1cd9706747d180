import { constantTimeEquals, hashToken, issueToken, looksLikeApiToken } from './token-format.util';

describe('API token format', () => {
  it('issues distinct tokens whose hash, not the token, is what gets stored', () => {
    const a = issueToken();
    const b = issueToken();
    expect(a.token).not.toBe(b.token);
    expect(looksLikeApiToken(a.token)).toBe(true);
    expect(a.token.startsWith(`${a.prefix}_`)).toBe(true);
    expect(a.hash).toBe(hashToken(a.token));
    expect(a.hash).not.toContain(a.token.slice(13));
  });

  it('rejects strings that are not tokens', () => {
    expect(looksLikeApiToken('lat_short_x')).toBe(false);
    expect(looksLikeApiToken('Bearer lat_abcdefgh_' + 'a'.repeat(32))).toBe(false);
  });

  it('compares secrets of different lengths without throwing', () => {
    expect(constantTimeEquals('a', 'abc')).toBe(false);
    expect(constantTimeEquals('same', 'same')).toBe(true);
  });
});
