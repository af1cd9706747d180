import type { TestingModule } from '@nestjs/testing';
import { API_VERSION, DomainError, parseDocument, type DeclarativeResource } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { createFeatureModule, createTestTenant } from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { GlobalNamespacesService } from '../global-namespaces/global-namespaces.service';
import { DeclarativeModule } from './declarative.module';
import { DeclarativeService } from './declarative.service';

const gns = (name: string, spec: Record<string, unknown> = {}): DeclarativeResource => {
  const parsed = parseDocument({
    apiVersion: API_VERSION,
    kind: 'GlobalNamespace',
    metadata: { name },
    spec: {
      domain: `${name}.lattice.local`,
      matchConditions: [
        { cluster: { type: 'REGEX', value: '.*' }, namespace: { type: 'EXACT', value: name } },
      ],
      ...spec,
    },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.resource;
};
const ref = (name: string) => ({ kind: 'GlobalNamespace' as const, name });

/** DeclarativeService with its real repositories on a scratch database: apply, conflicts, prune, tenancy. */
describe('DeclarativeService', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let declarative: DeclarativeService;
  let actor: TenantPrincipal;
  let stranger: TenantPrincipal;
  const apply = (
    resource: DeclarativeResource,
    options: Partial<{ dryRun: boolean; force: boolean; applySet: string }> = {},
  ) => declarative.apply(actor, resource, { dryRun: false, force: false, applySet: 'default', ...options });
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'OK',
      (error: unknown) => (error instanceof DomainError ? error.code : `unexpected ${String(error)}`),
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ moduleRef } = await createFeatureModule(testRuntimeConfig(database.url), [DeclarativeModule]));
    declarative = moduleRef.get(DeclarativeService);
    actor = await createTestTenant(moduleRef, 'declarative-a');
    stranger = await createTestTenant(moduleRef, 'declarative-b');
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  it('creates, then finds the same document unchanged without writing', async () => {
    expect(await apply(gns('shop', { description: 'the shop' }), { dryRun: true })).toMatchObject({
      action: 'create',
      version: null,
    });
    expect(await codeOf(declarative.get(actor.tenantId, ref('shop')))).toBe('NOT_FOUND');
    const created = await apply(gns('shop', { description: 'the shop' }));
    expect(created).toMatchObject({ action: 'create', version: 1 });
    expect(await apply(gns('shop', { description: 'the shop' }))).toMatchObject({
      action: 'unchanged',
      version: 1,
      changes: [],
    });
    expect(await declarative.get(actor.tenantId, ref('shop'))).toMatchObject({
      metadata: { version: 1, managedBy: 'lattice-apply', applySet: 'default' },
      spec: { description: 'the shop', mtlsMode: 'STRICT' },
    });
  });

  it('returns a field the last apply named and this one drops to its default', async () => {
    const result = await apply(gns('shop'));
    expect(result).toMatchObject({ action: 'update', version: 2 });
    expect(result.changes).toEqual([{ path: 'description', before: 'the shop', after: '' }]);
  });

  it('refuses a resource changed outside apply since the last apply, unless forced', async () => {
    const globalNamespaces = moduleRef.get(GlobalNamespacesService);
    const id = (await globalNamespaces.idByName(actor.tenantId, 'shop'))!;
    const live = await globalNamespaces.get(actor.tenantId, id);
    await globalNamespaces.replace(actor, id, live.version, { ...live, description: 'by hand' });
    await expect(apply(gns('shop'))).rejects.toThrow(
      /changed outside apply since the last apply \(version 2, now 3\)/,
    );
    // Forced, the fields nobody applied stay as set by hand; what the document names is set.
    expect(await apply(gns('shop'), { force: true })).toMatchObject({ action: 'unchanged', version: 3 });
    expect((await declarative.get(actor.tenantId, ref('shop'))).spec.description).toBe('by hand');
    expect(await apply(gns('shop', { mtlsMode: 'PERMISSIVE' }))).toMatchObject({
      action: 'update',
      version: 4,
    });
  });

  it('answers a concurrent create of one name once; the other request is a conflict, never a crash', async () => {
    const outcomes = await Promise.all([codeOf(apply(gns('race'))), codeOf(apply(gns('race')))]);
    expect(outcomes.sort()).toEqual(['CONFLICT', 'OK']);
  });

  it('prunes only what apply created in the apply set that keep no longer names', async () => {
    await apply(gns('one-a'), { applySet: 'one' });
    await apply(gns('one-b'), { applySet: 'one' });
    await apply(gns('two-a'), { applySet: 'two' });
    const byHand = gns('by-hand');
    await moduleRef.get(GlobalNamespacesService).create(actor, {
      name: 'by-hand',
      domain: String(byHand.spec.domain),
      matchConditions: byHand.spec.matchConditions as never,
    });
    const preview = await declarative.prune(actor, 'one', ['GlobalNamespace/one-b'], true);
    expect(preview.deleted.map((deleted) => deleted.ref.key)).toEqual(['GlobalNamespace/one-a']);
    expect(await codeOf(declarative.get(actor.tenantId, ref('one-a')))).toBe('OK');
    const pruned = await declarative.prune(actor, 'one', ['GlobalNamespace/one-b'], false);
    expect(pruned.deleted.map((deleted) => deleted.ref.key)).toEqual(['GlobalNamespace/one-a']);
    const left = (await declarative.list(actor.tenantId, 'GlobalNamespace'))
      .map((doc) => doc.metadata.name)
      .sort();
    expect(left).toEqual(['by-hand', 'one-b', 'race', 'shop', 'two-a']);
    // Adopting a resource made by hand does not make it prunable.
    expect(await apply(gns('by-hand'), { applySet: 'one' })).toMatchObject({ action: 'unchanged' });
    expect((await declarative.prune(actor, 'one', [], false)).deleted.map((d) => d.ref.key)).toEqual([
      'GlobalNamespace/one-b',
    ]);
  });

  it('keeps names inside the tenant: another tenant neither sees nor deletes them, and applies its own', async () => {
    expect(await codeOf(declarative.get(stranger.tenantId, ref('shop')))).toBe('NOT_FOUND');
    expect(await codeOf(declarative.delete(stranger, ref('shop'), false))).toBe('NOT_FOUND');
    expect(await declarative.export(stranger.tenantId)).toEqual([]);
    expect((await declarative.prune(stranger, 'default', [], false)).deleted).toEqual([]);
    expect(
      await declarative.apply(stranger, gns('shop'), { dryRun: false, force: false, applySet: 'default' }),
    ).toMatchObject({
      action: 'create',
    });
    expect((await declarative.get(actor.tenantId, ref('shop'))).metadata.version).toBe(4);
  });
});
