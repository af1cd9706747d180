import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Principal } from '../auth/principal.util';

/**
 * The GraphQL edge's way to authenticate a caller (a port: platform may not import features; the
 * auth feature's AuthService fits it and is bound in main.ts). Throws DomainError UNAUTHENTICATED.
 */
export interface CallerAuthenticator {
  authenticate(authorization: string | undefined): Promise<Principal>;
}

/**
 * Fixed-window budgets (ThrottlerStorage's `increment`) plus a read-only look at whether a key is
 * blocked, so a caller already over budget is refused without a token lookup and without creating
 * a key for every random token an attacker makes up.
 */
export interface EdgeBudgetStore extends ThrottlerStorage {
  /** Seconds until `key` of `throttlerName` may be used again; 0 when it is not blocked. */
  blockedSeconds(key: string, throttlerName: string): Promise<number>;
}
