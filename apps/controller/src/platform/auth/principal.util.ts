export type Role = 'admin' | 'editor' | 'viewer';

/** Who is calling: the platform operator (environment token) or a tenant's API token. */
export type Principal =
  { kind: 'operator' } | { kind: 'token'; tenantId: string; tokenId: string; tokenName: string; role: Role };

export type TenantPrincipal = Extract<Principal, { kind: 'token' }>;

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** Viewers read; editors also change configuration; admins also manage tokens. */
export function roleSatisfies(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}
