import type { TestingModule } from '@nestjs/testing';
import { API_VERSION, DomainError, parseDocument, type DeclarativeResource } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { createFeatureModule, createTestTenant } from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { AutoscalingService } from '../autoscaling/autoscaling.service';
import type { RecordingScheduler } from '../../../../../test/support/feature-module';
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

const scaling = {
  mode: 'EFFICIENCY',
  instances: { min: 1, max: 5, default: 2 },
  triggers: [{ metric: 'CPU', scaleUp: 800, scaleDown: 300 }],
  windowSeconds: 60,
  gracePeriodSeconds: 120,
};
/** An AutoscalingPolicy document of service `service` in GNS `gnsName`, read as apply reads it. */
const asp = (
  gnsName: string,
  service: string,
  spec: Record<string, unknown> = scaling,
): DeclarativeResource => {
  const parsed = parseDocument({
    apiVersion: API_VERSION,
    kind: 'AutoscalingPolicy',
    metadata: { globalNamespace: gnsName, name: service },
    spec,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.resource;
};
const aspRef = (gnsName: string, service: string) => ({
  kind: 'AutoscalingPolicy' as const,
  globalNamespace: gnsName,
  name: service,
});

/** DeclarativeService with its real repositories on a scratch database: apply, conflicts, prune, tenancy. */
describe('DeclarativeService', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let declarative: DeclarativeService;
  let scheduler: RecordingScheduler;
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
  const fieldsOf = (promise: Promise<unknown>) =>
    promise.then(
      () => [],
      (error: unknown) => (error instanceof DomainError ? error.fields : [`unexpected ${String(error)}`]),
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ moduleRef, scheduler } = await createFeatureModule(testRuntimeConfig(database.url), [
      DeclarativeModule,
    ]));
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

  describe('AutoscalingPolicy (a kind scoped by Global Namespace)', () => {
    const autoscaling = () => moduleRef.get(AutoscalingService);
    let gnsId: string;

    beforeAll(async () => {
      await apply(gns('scale'));
      gnsId = (await moduleRef.get(GlobalNamespacesService).idByName(actor.tenantId, 'scale'))!;
    });

    it('creates through the autoscaling service with the REST defaults, then finds it unchanged', async () => {
      expect(await apply(asp('scale', 'cart'), { dryRun: true })).toMatchObject({
        action: 'create',
        version: null,
      });
      expect(await autoscaling().find(actor.tenantId, gnsId, 'cart')).toBeNull();
      const calls = scheduler.calls.length;
      expect(await apply(asp('scale', 'cart'))).toMatchObject({
        action: 'create',
        version: 1,
        ref: { key: 'AutoscalingPolicy/scale/cart' },
      });
      // The same policy REST answers, and the agents get it with the next snapshot.
      expect((await autoscaling().get(actor.tenantId, gnsId, 'cart')).spec).toEqual({
        ...scaling,
        instances: { min: 1, max: 5, default: 2, stepsUp: 1, stepsDown: 1 },
        recommendOnly: false,
        targets: [],
      });
      expect(scheduler.calls.slice(calls)).toEqual([
        { tenantId: actor.tenantId, reason: expect.stringContaining('autoscaling policy of cart') },
      ]);
      expect(await apply(asp('scale', 'cart'))).toMatchObject({
        action: 'unchanged',
        version: 1,
        changes: [],
      });
      expect(await declarative.get(actor.tenantId, aspRef('scale', 'cart'))).toMatchObject({
        kind: 'AutoscalingPolicy',
        metadata: { globalNamespace: 'scale', name: 'cart', version: 1, managedBy: 'lattice-apply' },
        spec: { recommendOnly: false, targets: [] },
      });
      expect(
        (await declarative.list(actor.tenantId, 'AutoscalingPolicy')).map((doc) => doc.metadata),
      ).toEqual([expect.objectContaining({ globalNamespace: 'scale', name: 'cart', version: 1 })]);
    });

    it('sets what the document names; a field it stops naming returns to its default', async () => {
      const named = await apply(asp('scale', 'cart', { ...scaling, recommendOnly: true }));
      expect(named).toMatchObject({ action: 'update', version: 2 });
      expect(named.changes).toEqual([{ path: 'recommendOnly', before: false, after: true }]);
      const dropped = await apply(asp('scale', 'cart'));
      expect(dropped).toMatchObject({ action: 'update', version: 3 });
      expect(dropped.changes).toEqual([{ path: 'recommendOnly', before: true, after: false }]);
    });

    it('refuses a bad spec naming the document fields, and a Global Namespace that does not exist', async () => {
      expect(
        await fieldsOf(
          apply(
            asp('scale', 'cart', {
              ...scaling,
              instances: { min: 4, max: 3, default: 3 },
              triggers: [{ metric: 'CPU', scaleUp: 100, scaleDown: 100 }],
            }),
          ),
        ),
      ).toEqual([
        { field: 'spec.instances.min', message: 'must be at most max (3)' },
        { field: 'spec.instances.default', message: 'must be between min (4) and max (3)' },
        {
          field: 'spec.triggers[0].scaleDown',
          message: expect.stringContaining('must be below scaleUp (100)'),
        },
      ]);
      expect(await fieldsOf(apply(asp('nowhere', 'cart')))).toEqual([
        { field: 'metadata.globalNamespace', message: 'no Global Namespace named nowhere in this tenant' },
      ]);
      expect(await apply(asp('nowhere', 'cart'), { dryRun: true })).toMatchObject({
        action: 'create',
        warnings: [{ field: 'metadata.globalNamespace' }],
      });
      expect((await autoscaling().get(actor.tenantId, gnsId, 'cart')).version).toBe(3);
    });

    it('refuses a policy changed through REST since the last apply, unless forced', async () => {
      const live = await autoscaling().get(actor.tenantId, gnsId, 'cart');
      await autoscaling().put(actor, gnsId, 'cart', live.version, { ...live.spec, gracePeriodSeconds: 30 });
      expect(await codeOf(apply(asp('scale', 'cart')))).toBe('CONFLICT');
      expect(await apply(asp('scale', 'cart'), { force: true })).toMatchObject({
        action: 'update',
        version: 5,
        changes: [{ path: 'gracePeriodSeconds', before: 30, after: 120 }],
      });
    });

    it('exports documents that apply reproduces without a change', async () => {
      const exported = (await declarative.export(actor.tenantId)).filter(
        (doc) => doc.kind === 'AutoscalingPolicy',
      );
      expect(exported).toEqual([
        {
          apiVersion: API_VERSION,
          kind: 'AutoscalingPolicy',
          metadata: { globalNamespace: 'scale', name: 'cart' },
          spec: (await autoscaling().get(actor.tenantId, gnsId, 'cart')).spec,
        },
      ]);
      const parsed = parseDocument(JSON.parse(JSON.stringify(exported[0])));
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      expect(await apply(parsed.resource, { dryRun: true })).toMatchObject({
        action: 'unchanged',
        changes: [],
      });
      expect(await apply(parsed.resource)).toMatchObject({ action: 'unchanged', version: 5 });
    });

    it('is invisible and unchangeable for another tenant', async () => {
      expect(await codeOf(declarative.get(stranger.tenantId, aspRef('scale', 'cart')))).toBe('NOT_FOUND');
      expect(await codeOf(declarative.delete(stranger, aspRef('scale', 'cart'), false))).toBe('NOT_FOUND');
      expect(await declarative.list(stranger.tenantId, 'AutoscalingPolicy')).toEqual([]);
      expect(
        await fieldsOf(
          declarative.apply(stranger, asp('scale', 'cart'), {
            dryRun: false,
            force: false,
            applySet: 'default',
          }),
        ),
      ).toEqual([
        { field: 'metadata.globalNamespace', message: expect.stringContaining('no Global Namespace') },
      ]);
      expect((await autoscaling().get(actor.tenantId, gnsId, 'cart')).version).toBe(5);
    });

    it('prunes a policy before its Global Namespace, and deletes one by name', async () => {
      await apply(gns('scale-pruned'), { applySet: 'scaling' });
      await apply(asp('scale-pruned', 'cart'), { applySet: 'scaling' });
      const pruned = await declarative.prune(actor, 'scaling', [], false);
      expect(pruned.deleted.map((deleted) => deleted.ref.key)).toEqual([
        'AutoscalingPolicy/scale-pruned/cart',
        'GlobalNamespace/scale-pruned',
      ]);
      expect(await declarative.delete(actor, aspRef('scale', 'cart'), true)).toMatchObject({ dryRun: true });
      expect(await codeOf(autoscaling().get(actor.tenantId, gnsId, 'cart'))).toBe('OK');
      await declarative.delete(actor, aspRef('scale', 'cart'), false);
      expect(await autoscaling().find(actor.tenantId, gnsId, 'cart')).toBeNull();
      expect(await codeOf(declarative.get(actor.tenantId, aspRef('scale', 'cart')))).toBe('NOT_FOUND');
    });
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
