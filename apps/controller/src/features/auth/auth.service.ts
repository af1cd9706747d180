import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@lattice/domain';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { ApiTokensRepository } from './api-tokens.repository';
import type { Principal } from '../../platform/auth/principal.util';
import { InvalidTokenCache } from './invalid-token.cache';
import { constantTimeEquals, hashToken, looksLikeApiToken } from './token-format.util';

/**
 * Turns a bearer token into a principal. Every call with a token not known to be bad reads the
 * database: a revoked token stops at once. Tokens the database refused are remembered for
 * LATTICE_AUTH_NEGATIVE_CACHE_SECONDS, so repeating one costs no lookup.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly invalidTokens: InvalidTokenCache;

  constructor(
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly tokens: ApiTokensRepository,
  ) {
    this.invalidTokens = new InvalidTokenCache(config.env.LATTICE_AUTH_NEGATIVE_CACHE_SECONDS);
  }

  async authenticate(authorization: string | undefined, now = new Date()): Promise<Principal> {
    const token = bearerToken(authorization);
    if (constantTimeEquals(token, this.config.operatorToken)) return { kind: 'operator' };
    if (!looksLikeApiToken(token))
      throw new DomainError('UNAUTHENTICATED', 'the bearer token is not a Lattice API token');
    const hash = hashToken(token);
    if (this.invalidTokens.has(hash)) throw unknownToken();
    // Debug evidence of each lookup (tests count them; operators can see the cost of fake tokens).
    this.logger.debug('API token lookup');
    const row = await this.tokens.findActiveByHash(hash, now);
    if (!row) {
      this.invalidTokens.add(hash);
      throw unknownToken();
    }
    // Recorded at most once a minute: a busy token costs one read per request, not a write too.
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await this.tokens.touch(row.tenantId, row.id, now);
    }
    return { kind: 'token', tenantId: row.tenantId, tokenId: row.id, tokenName: row.name, role: row.role };
  }
}

const LAST_USED_RESOLUTION_MS = 60_000;

function unknownToken(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'the API token is unknown, revoked or expired');
}

// RFC 9110 §11.3/§11.4: credentials = auth-scheme [ 1*SP token68 ]; token68 = 1*( ALPHA / DIGIT /
// "-" / "." / "_" / "~" / "+" / "/" ) *"=". The scheme is case-insensitive; the token is not.
const BEARER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)( +)([A-Za-z0-9._~+/-]+=*)$/;
const EXPECTED = '(expected "Bearer <token>")';

/**
 * The token of an `Authorization: Bearer <token>` header, parsed per RFC 9110: the scheme matches
 * whatever its case, one or more spaces separate it from the token (tabs do not: RFC 9110 allows
 * SP only), and the token is token68. Surrounding whitespace (which HTTP strips anyway) is ignored.
 * Every accepted spelling yields the same token, and rate limits key on the token's id, so
 * spelling variants share one budget.
 */
export function bearerToken(authorization: string | undefined): string {
  const header = authorization?.replace(/^[ \t]+|[ \t]+$/g, '');
  if (!header) throw new DomainError('UNAUTHENTICATED', `missing Authorization header ${EXPECTED}`);
  const match = BEARER.exec(header);
  if (!match) {
    const problem = /^\S+\t/.test(header)
      ? 'separate the scheme and the token with spaces, not tabs'
      : /^\S+$/.test(header)
        ? 'no token after the scheme'
        : 'the token must be one token68 value (letters, digits, "-._~+/", trailing "=")';
    throw new DomainError('UNAUTHENTICATED', `malformed Authorization header: ${problem} ${EXPECTED}`);
  }
  const [, scheme, , token] = match;
  if (scheme!.toLowerCase() !== 'bearer') {
    throw new DomainError(
      'UNAUTHENTICATED',
      `unsupported authorization scheme "${scheme!.slice(0, 32)}" ${EXPECTED}`,
    );
  }
  return token!;
}
