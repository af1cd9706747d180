import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API tokens look like `lat_<prefix>_<secret>`. The prefix (8 chars) is stored in clear so people can
 * tell tokens apart; the whole token is stored only as SHA-256. A fast hash is right here: tokens
 * carry 192 bits of randomness, so there is nothing for a slow password hash to protect.
 */
export interface IssuedToken {
  token: string;
  prefix: string;
  hash: string;
}

const TOKEN_PATTERN = /^lat_([a-z0-9]{8})_([A-Za-z0-9_-]{32})$/;

export function issueToken(): IssuedToken {
  const prefix = randomBytes(6)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 8)
    .padEnd(8, '0');
  const token = `lat_${prefix}_${randomBytes(24).toString('base64url')}`;
  return { token, prefix: `lat_${prefix}`, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function looksLikeApiToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export function constantTimeEquals(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}
