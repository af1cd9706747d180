import type { Principal } from '../auth/principal.util';

/**
 * The GraphQL edge's way to authenticate a caller (a port: platform may not import features; the
 * auth feature's AuthService fits it and is bound in main.ts). Throws DomainError UNAUTHENTICATED.
 */
export interface CallerAuthenticator {
  authenticate(authorization: string | undefined): Promise<Principal>;
}
