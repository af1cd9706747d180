import { SetMetadata } from '@nestjs/common';
import type { Role } from './principal.util';

/** What a route or GraphQL field requires. The auth guard denies any handler that declares none. */
export type Permission = { kind: 'public' } | { kind: 'operator' } | { kind: 'role'; role: Role };

export const PERMISSION_KEY = 'lattice:permission';

export const Public = () => SetMetadata(PERMISSION_KEY, { kind: 'public' } satisfies Permission);
export const OperatorOnly = () => SetMetadata(PERMISSION_KEY, { kind: 'operator' } satisfies Permission);
export const RequireRole = (role: Role) =>
  SetMetadata(PERMISSION_KEY, { kind: 'role', role } satisfies Permission);
