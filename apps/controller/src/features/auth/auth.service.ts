import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@lattice/domain';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { ApiTokensRepository } from './api-tokens.repository';
import type { Principal } from '../../platform/auth/principal.util';
import { constantTimeEquals, hashToken, looksLikeApiToken } from './token-format.util';

/** Turns a bearer token into a principal. Every call reads the database: a revoked token stops at once. */
@Injectable()
export class AuthService {
  constructor(
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly tokens: ApiTokensRepository,
  ) {}

  async authenticate(authorization: string | undefined, now = new Date()): Promise<Principal> {
    const token = bearerToken(authorization);
    if (constantTimeEquals(token, this.config.operatorToken)) return { kind: 'operator' };
    if (!looksLikeApiToken(token))
      throw new DomainError('UNAUTHENTICATED', 'the bearer token is not a Lattice API token');
    const row = await this.tokens.findActiveByHash(hashToken(token), now);
    if (!row) throw new DomainError('UNAUTHENTICATED', 'the API token is unknown, revoked or expired');
    await this.tokens.touch(row.tenantId, row.id, now);
    return { kind: 'token', tenantId: row.tenantId, tokenId: row.id, tokenName: row.name, role: row.role };
  }
}

export function bearerToken(authorization: string | undefined): string {
  if (!authorization)
    throw new DomainError('UNAUTHENTICATED', 'missing Authorization header (expected "Bearer <token>")');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1])
    throw new DomainError('UNAUTHENTICATED', 'malformed Authorization header (expected "Bearer <token>")');
  return match[1];
}
