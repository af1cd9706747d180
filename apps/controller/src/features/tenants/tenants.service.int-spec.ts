import { Test, type TestingModule } from '@nestjs/testing';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { RUNTIME_CONFIG } from '../../platform/config/runtime-config.types';
import { PrismaService } from '../../platform/database/prisma.service';
import { PgPool } from '../../platform/database/pg-pool.service';
import { TransactionRunner } from '../../platform/database/transaction.service';
import { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import { ApiTokensRepository } from '../auth/api-tokens.repository';
import { AuthService } from '../auth/auth.service';
import { TokensService } from '../auth/tokens.service';
import { TenantsRepository } from './tenants.repository';
import { RECOVERY_TOKEN_TTL_MS, TenantsService } from './tenants.service';
import { codeOf } from '../../../../../test/support/domain-errors';

/** TenantsService with the real tenant, token and audit repositories on a scratch database. */
describe('TenantsService', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let tenants: TenantsService;

  beforeAll(async () => {
    database = await createTestDatabase();
    moduleRef = await Test.createTestingModule({
      providers: [
        { provide: RUNTIME_CONFIG, useValue: testRuntimeConfig(database.url) },
        PrismaService,
        PgPool,
        TransactionRunner,
        TenantsRepository,
        TenantsService,
        ApiTokensRepository,
        TokensService,
        AuthService,
        AuditRepository,
        AuditService,
      ],
    }).compile();
    tenants = moduleRef.get(TenantsService);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  it('creates a tenant with a working first admin token, audited as the operator', async () => {
    const { tenant, adminToken } = await tenants.create('acme');
    expect(tenant).toEqual({ id: expect.any(String), name: 'acme', createdAt: expect.any(String) });
    expect(adminToken).toMatchObject({ name: 'initial-admin', role: 'admin', expiresAt: null });
    expect(await moduleRef.get(AuthService).authenticate(`Bearer ${adminToken.token}`)).toEqual({
      kind: 'token',
      tenantId: tenant.id,
      tokenId: adminToken.id,
      tokenName: 'initial-admin',
      role: 'admin',
    });
    const events = await moduleRef
      .get(AuditService)
      .list(tenant.id, { resourceType: 'tenant' }, { limit: 10 });
    expect(events.items).toEqual([
      expect.objectContaining({
        action: 'tenant.create',
        actorTokenId: null,
        actorName: 'platform-operator',
        resourceId: tenant.id,
        before: null,
        after: tenant,
      }),
    ]);
    expect(await tenants.get(tenant.id)).toEqual(tenant);
  });

  it('refuses a second tenant of the same name', async () => {
    await tenants.create('globex');
    expect(await codeOf(tenants.create('globex'))).toBe('CONFLICT');
    const prisma = moduleRef.get(PrismaService);
    expect(await prisma.tenant.count({ where: { name: 'globex' } })).toBe(1);
  });

  it('lists tenants oldest first, page by page, and answers NOT_FOUND for an unknown id', async () => {
    await tenants.create('initech');
    const first = await tenants.list({ limit: 2 });
    expect(first.items.map((tenant) => tenant.name)).toEqual(['acme', 'globex']);
    expect(first.nextCursor).not.toBeNull();
    expect(await codeOf(tenants.get('00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
  });

  it('issues a recovery admin token for a tenant, shown once, expiring in a day, audited as the operator', async () => {
    const { tenant, adminToken } = await tenants.create('recovered');
    const tokens = moduleRef.get(TokensService);
    const auth = moduleRef.get(AuthService);
    const now = new Date();
    const recovery = await tenants.issueRecoveryToken(tenant.id, {}, now);
    expect(recovery).toMatchObject({
      name: 'recovery-admin',
      role: 'admin',
      expiresAt: new Date(now.getTime() + RECOVERY_TOKEN_TTL_MS).toISOString(),
    });
    const asRecovery = await auth.authenticate(`Bearer ${recovery.token}`);
    expect(asRecovery).toMatchObject({ tenantId: tenant.id, role: 'admin', tokenName: 'recovery-admin' });
    // With it, the tenant's admins can replace a leaked first admin token, which was the last one.
    if (asRecovery.kind !== 'token') throw new Error('expected a tenant token');
    expect((await tokens.revoke(asRecovery, adminToken.id)).revokedAt).not.toBeNull();

    const events = await moduleRef
      .get(AuditService)
      .list(tenant.id, { resourceId: recovery.id }, { limit: 10 });
    expect(events.items).toEqual([
      expect.objectContaining({
        action: 'token.recovery',
        actorTokenId: null,
        actorName: 'platform-operator',
        resourceType: 'token',
        after: expect.objectContaining({ id: recovery.id, role: 'admin' }),
      }),
    ]);
    expect(JSON.stringify(events.items)).not.toContain(recovery.token);
  });

  it('names a recovery token and its expiry as asked, and refuses an unknown tenant or a past expiry', async () => {
    const { tenant } = await tenants.create('recovered-named');
    const expiresAt = new Date(Date.now() + 3_600_000);
    expect(await tenants.issueRecoveryToken(tenant.id, { name: 'ops-ticket-42', expiresAt })).toMatchObject({
      name: 'ops-ticket-42',
      expiresAt: expiresAt.toISOString(),
    });
    expect(await codeOf(tenants.issueRecoveryToken('00000000-0000-4000-8000-000000000000', {}))).toBe(
      'NOT_FOUND',
    );
    expect(
      await codeOf(tenants.issueRecoveryToken(tenant.id, { expiresAt: new Date(Date.now() - 1_000) })),
    ).toBe('VALIDATION');
  });
});
