import { Test, type TestingModule } from '@nestjs/testing';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { RUNTIME_CONFIG } from '../../platform/config/runtime-config.types';
import { PrismaService } from '../../platform/database/prisma.service';
import { TransactionRunner } from '../../platform/database/transaction.service';
import { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import { ApiTokensRepository } from './api-tokens.repository';
import { AuthService } from './auth.service';
import { hashToken } from './token-format.util';
import { TokensService } from './tokens.service';
import { codeOf } from '../../../../../test/support/domain-errors';

/** TokensService with its real repositories (tokens, audit) on a scratch database. */
describe('TokensService', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let prisma: PrismaService;
  let tokens: TokensService;
  let auth: AuthService;
  let actor: TenantPrincipal;
  let stranger: TenantPrincipal;

  const principal = (tenantId: string): TenantPrincipal => ({
    kind: 'token',
    tenantId,
    tokenId: '00000000-0000-4000-8000-000000000001',
    tokenName: 'initial-admin',
    role: 'admin',
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    moduleRef = await Test.createTestingModule({
      providers: [
        { provide: RUNTIME_CONFIG, useValue: testRuntimeConfig(database.url) },
        PrismaService,
        TransactionRunner,
        ApiTokensRepository,
        AuditRepository,
        AuditService,
        AuthService,
        TokensService,
      ],
    }).compile();
    prisma = moduleRef.get(PrismaService);
    tokens = moduleRef.get(TokensService);
    auth = moduleRef.get(AuthService);
    actor = principal((await prisma.tenant.create({ data: { name: 'tokens-tenant' } })).id);
    stranger = principal((await prisma.tenant.create({ data: { name: 'tokens-stranger' } })).id);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  it('issues a token shown once, stores only its hash, and audits the creation without the secret', async () => {
    const created = await tokens.create(actor, { name: 'ci', role: 'editor', expiresAt: null });
    expect(created).toMatchObject({ name: 'ci', role: 'editor', revokedAt: null, lastUsedAt: null });
    expect(created.token.startsWith(`${created.prefix}_`)).toBe(true);

    const row = await prisma.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.hash).toBe(hashToken(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);

    const [event] = (
      await moduleRef.get(AuditService).list(actor.tenantId, { resourceId: created.id }, { limit: 10 })
    ).items;
    expect(event).toMatchObject({
      action: 'token.create',
      actorName: 'initial-admin',
      after: { name: 'ci' },
    });
    expect(JSON.stringify(event.after)).not.toContain(created.token);

    expect(await auth.authenticate(`Bearer ${created.token}`)).toMatchObject({
      tenantId: actor.tenantId,
      role: 'editor',
    });
  });

  it('refuses an expiry that is not in the future', async () => {
    const past = new Date(Date.now() - 1_000);
    expect(await codeOf(tokens.create(actor, { name: 'late', role: 'viewer', expiresAt: past }))).toBe(
      'VALIDATION',
    );
  });

  it("lists a tenant's tokens page by page and hides them from other tenants", async () => {
    for (const name of ['a', 'b', 'c']) await tokens.create(actor, { name, role: 'viewer', expiresAt: null });
    const first = await tokens.list(actor.tenantId, { limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    expect(first.items[0]).not.toHaveProperty('hash');
    expect((await tokens.list(stranger.tenantId, { limit: 10 })).items).toEqual([]);
    expect(await codeOf(tokens.get(stranger.tenantId, first.items[0].id))).toBe('NOT_FOUND');
    expect(await codeOf(tokens.revoke(stranger, first.items[0].id))).toBe('NOT_FOUND');
  });

  it('revokes at once, once: the token stops authenticating and a second revoke changes nothing', async () => {
    const created = await tokens.create(actor, { name: 'short-lived', role: 'admin', expiresAt: null });
    const revoked = await tokens.revoke(actor, created.id);
    expect(revoked.revokedAt).not.toBeNull();
    expect(await codeOf(auth.authenticate(`Bearer ${created.token}`))).toBe('UNAUTHENTICATED');
    expect(await tokens.revoke(actor, created.id)).toEqual(revoked);

    const events = await moduleRef
      .get(AuditService)
      .list(actor.tenantId, { resourceId: created.id }, { limit: 10 });
    expect(events.items.map((event) => event.action)).toEqual(['token.create', 'token.revoke']);
    expect(events.items[1]).toMatchObject({
      before: { revokedAt: null },
      after: { revokedAt: revoked.revokedAt },
    });
  });
});
