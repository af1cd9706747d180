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
 * Fixed-window budgets (ThrottlerStorage's `increment`, shared by every replica through Redis).
 * Whether a caller is already blocked is answered in-process (EdgeBlocklist), not by a read here,
 * so a legitimate request costs one budget round trip.
 */
export type EdgeBudgetStore = ThrottlerStorage;
