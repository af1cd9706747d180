import { Test, type TestingModule } from '@nestjs/testing';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { RUNTIME_CONFIG } from '../../platform/config/runtime-config.types';
import { PrismaService } from '../../platform/database/prisma.service';
import { PgPool } from '../../platform/database/pg-pool.service';
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
        PgPool,
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
    // The admin token the actor stands for, so that revoking another admin token leaves one.
    await tokens.create(actor, { name: 'initial-admin', role: 'admin', expiresAt: null });
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

  describe('the last active admin token', () => {
    const adminsOf = async (tenantId: string) =>
      prisma.apiToken.count({
        where: {
          tenantId,
          role: 'ADMIN',
          revokedAt: null,
          OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
        },
      });
    const freshTenant = async (name: string) =>
      principal((await prisma.tenant.create({ data: { name } })).id);

    it('cannot be revoked (CONFLICT naming it); editors and viewers still can', async () => {
      const owner = await freshTenant('last-admin');
      const admin = await tokens.create(owner, { name: 'only-admin', role: 'admin', expiresAt: null });
      const editor = await tokens.create(owner, { name: 'editor', role: 'editor', expiresAt: null });
      const refused = tokens.revoke(owner, admin.id);
      await expect(refused).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(
          /only-admin .*last active admin token.*create another admin token first/,
        ),
      });
      expect(await auth.authenticate(`Bearer ${admin.token}`)).toMatchObject({ role: 'admin' });
      expect((await tokens.revoke(owner, editor.id)).revokedAt).not.toBeNull();
      const actions = (
        await moduleRef.get(AuditService).list(owner.tenantId, { resourceId: admin.id }, { limit: 10 })
      ).items.map((event) => event.action);
      expect(actions).toEqual(['token.create']);
    });

    it('counts expired and revoked admin tokens as gone, and allows revoking an expired one', async () => {
      const owner = await freshTenant('expired-admins');
      const live = await tokens.create(owner, { name: 'live', role: 'admin', expiresAt: null });
      const expiring = await tokens.create(owner, {
        name: 'expiring',
        role: 'admin',
        expiresAt: new Date(Date.now() + 60_000),
      });
      await prisma.apiToken.update({
        where: { id: expiring.id },
        data: { expiresAt: new Date(Date.now() - 1_000) },
      });
      expect(await codeOf(tokens.revoke(owner, live.id))).toBe('CONFLICT');
      expect((await tokens.revoke(owner, expiring.id)).revokedAt).not.toBeNull();
      expect(await adminsOf(owner.tenantId)).toBe(1);
    });

    it('can be revoked once another admin token exists', async () => {
      const owner = await freshTenant('two-admins');
      const first = await tokens.create(owner, { name: 'first', role: 'admin', expiresAt: null });
      const second = await tokens.create(owner, { name: 'second', role: 'admin', expiresAt: null });
      expect((await tokens.revoke(owner, first.id)).revokedAt).not.toBeNull();
      expect(await codeOf(tokens.revoke(owner, second.id))).toBe('CONFLICT');
      expect(await adminsOf(owner.tenantId)).toBe(1);
    });

    it('survives two admins revoking each other at once: exactly one revocation wins (repeated)', async () => {
      for (let round = 0; round < 10; round++) {
        const owner = await freshTenant(`duel-${round}`);
        const a = await tokens.create(owner, { name: 'a', role: 'admin', expiresAt: null });
        const b = await tokens.create(owner, { name: 'b', role: 'admin', expiresAt: null });
        const results = await Promise.allSettled([tokens.revoke(owner, a.id), tokens.revoke(owner, b.id)]);
        expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
        const rejected = results.find((result) => result.status === 'rejected');
        expect((rejected as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
        expect(await adminsOf(owner.tenantId)).toBe(1);
      }
    });

    it('survives many admins revoked at once: one is always left', async () => {
      const owner = await freshTenant('stampede');
      const admins = [];
      for (let i = 0; i < 6; i++)
        admins.push(await tokens.create(owner, { name: `admin-${i}`, role: 'admin', expiresAt: null }));
      const results = await Promise.allSettled(admins.map((admin) => tokens.revoke(owner, admin.id)));
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(5);
      expect(await adminsOf(owner.tenantId)).toBe(1);
    });
  });
});
