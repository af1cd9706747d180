import { Test, type TestingModule } from '@nestjs/testing';
import { DomainError } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { PrismaService } from '../../platform/database/prisma.service';
import { PgPool } from '../../platform/database/pg-pool.service';
import { ApiTokensRepository } from './api-tokens.repository';
import { AuthService } from './auth.service';
import { hashToken, issueToken } from './token-format.util';

/** AuthService with its real repository on a scratch database (no app, no Redis). */
describe('AuthService', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let config: RuntimeConfig;
  let prisma: PrismaService;
  let auth: AuthService;
  let tenantId: string;

  async function storedToken(
    role: 'ADMIN' | 'EDITOR' | 'VIEWER',
    extra: { expiresAt?: Date; revokedAt?: Date } = {},
  ) {
    const issued = issueToken();
    const row = await prisma.apiToken.create({
      data: {
        tenantId,
        name: `${role.toLowerCase()}-token`,
        role,
        prefix: issued.prefix,
        hash: issued.hash,
        ...extra,
      },
    });
    return { token: issued.token, id: row.id };
  }

  async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof DomainError) return { code: error.code, message: error.message };
      throw error;
    }
    throw new Error('expected a DomainError');
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    config = testRuntimeConfig(database.url);
    moduleRef = await Test.createTestingModule({
      providers: [
        { provide: RUNTIME_CONFIG, useValue: config },
        PrismaService,
        PgPool,
        ApiTokensRepository,
        AuthService,
      ],
    }).compile();
    prisma = moduleRef.get(PrismaService);
    auth = moduleRef.get(AuthService);
    tenantId = (await prisma.tenant.create({ data: { name: 'auth-tenant' } })).id;
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  it('knows the operator by the configured operator token', async () => {
    expect(await auth.authenticate(`Bearer ${config.operatorToken}`)).toEqual({ kind: 'operator' });
  });

  it('turns an active API token into its tenant, token and role, and records its use', async () => {
    const { token, id } = await storedToken('EDITOR');
    const now = new Date();
    expect(await auth.authenticate(`Bearer ${token}`, now)).toEqual({
      kind: 'token',
      tenantId,
      tokenId: id,
      tokenName: 'editor-token',
      role: 'editor',
    });
    const row = await prisma.apiToken.findUniqueOrThrow({ where: { id } });
    expect(row.lastUsedAt?.getTime()).toBe(now.getTime());

    // Within a minute the use is not written again.
    await auth.authenticate(`Bearer ${token}`, new Date(now.getTime() + 30_000));
    expect((await prisma.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt?.getTime()).toBe(
      now.getTime(),
    );
  });

  it('refuses revoked, expired, unknown and malformed tokens', async () => {
    const revoked = await storedToken('ADMIN', { revokedAt: new Date() });
    const expired = await storedToken('VIEWER', { expiresAt: new Date(Date.now() - 1_000) });
    const unknown = issueToken();
    expect(await prisma.apiToken.count({ where: { hash: hashToken(unknown.token) } })).toBe(0);
    for (const token of [revoked.token, expired.token, unknown.token])
      expect(await failure(auth.authenticate(`Bearer ${token}`))).toEqual({
        code: 'UNAUTHENTICATED',
        message: 'the API token is unknown, revoked or expired',
      });
    expect(await failure(auth.authenticate('Bearer not-a-token'))).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'the bearer token is not a Lattice API token',
    });
    expect((await failure(auth.authenticate(undefined))).code).toBe('UNAUTHENTICATED');
  });
});
