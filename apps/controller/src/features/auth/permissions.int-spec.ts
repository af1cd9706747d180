import { Test } from '@nestjs/testing';
import {
  DiscoveryModule,
  DiscoveryService,
  MetadataScanner,
  ModulesContainer,
  Reflector,
} from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import { RESOLVER_NAME_METADATA, RESOLVER_PROPERTY_METADATA, RESOLVER_TYPE_METADATA } from '@nestjs/graphql';
import { AppModule } from '../../app.module';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { GraphQLTestApp } from '../../../../../test/support/graphql-app';
import { seedCluster, seedGlobalNamespace } from '../../../../../test/support/telemetry';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { PERMISSION_KEY } from '../../platform/auth/permissions.decorator';

/** The GraphQL field a @ResolveField method resolves: its explicit name, else the method's. */
function fieldNameOf(method: object, methodName: string): string {
  return (Reflect.getMetadata(RESOLVER_NAME_METADATA, method) as string | undefined) ?? methodName;
}

/**
 * Every REST handler and GraphQL resolver field must declare what it needs. The guard already
 * denies undeclared handlers at run time; this test makes forgetting fail the build instead.
 */
describe('permission declarations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('exist on every route and resolver field', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(testRuntimeConfig(database.url)), DiscoveryModule],
    }).compile();
    try {
      const discovery = moduleRef.get(DiscoveryService);
      const scanner = moduleRef.get(MetadataScanner);
      const reflector = moduleRef.get(Reflector);
      const undeclared: string[] = [];
      const fieldResolvers: string[] = [];
      let handlers = 0;
      const wrappers = [...discovery.getControllers(), ...discovery.getProviders()];
      for (const wrapper of wrappers) {
        const instance = wrapper.instance as Record<string, unknown> | undefined;
        if (!instance || !wrapper.metatype) continue;
        const prototype = Object.getPrototypeOf(instance) as object;
        for (const name of scanner.getAllMethodNames(prototype)) {
          const method = (prototype as Record<string, unknown>)[name] as object;
          const isRoute = Reflect.getMetadata(PATH_METADATA, method) !== undefined;
          const isResolverField = Reflect.getMetadata(RESOLVER_TYPE_METADATA, method) !== undefined;
          // @ResolveField sets no resolver type, only this: field resolvers (GlobalNamespace.ca, ...).
          const isFieldResolver = Reflect.getMetadata(RESOLVER_PROPERTY_METADATA, method) === true;
          if (!isRoute && !isResolverField && !isFieldResolver) continue;
          handlers++;
          if (isFieldResolver) fieldResolvers.push(fieldNameOf(method, name));
          const permission = reflector.getAllAndOverride(PERMISSION_KEY, [
            method as () => void,
            wrapper.metatype as () => void,
          ]);
          if (!permission) undeclared.push(`${wrapper.name}.${name}`);
        }
      }
      expect(handlers).toBeGreaterThan(5);
      expect(fieldResolvers).toEqual(
        expect.arrayContaining(['ca', 'services', 'trafficPolicies', 'securityPolicy', 'history', 'events']),
      );
      expect(undeclared).toEqual([]);
    } finally {
      await moduleRef.close();
    }
  });
});

/**
 * The role a field resolver declares is enforced on its own, not only through its parent query: raise
 * the role of each field resolver to admin (a role gap, which the code has none of today: all of them
 * need viewer) and a viewer gets the parent but FORBIDDEN on the field.
 */
describe('field resolver roles', () => {
  let harness: GraphQLTestApp;
  let viewer: string;
  let gnsId: string;
  let sloId: string;

  beforeAll(async () => {
    harness = await GraphQLTestApp.start();
    const tenant = await harness.seedTenant('tenant-a');
    viewer = tenant.token;
    const editor = await harness.seedToken(tenant.tenantId, 'EDITOR');
    const east = await seedCluster(harness.sql, tenant.tenantId, 'east');
    await harness.setInventory(east.id, {
      namespaces: [{ name: 'shop', labels: {} }],
      services: [
        {
          namespace: 'shop',
          name: 'cart',
          labels: {},
          ports: [{ name: 'http', port: 8080, protocol: 'HTTP', targetPort: 8080 }],
          endpointGroups: [],
        },
      ],
    });
    gnsId = await seedGlobalNamespace(harness.sql, tenant.tenantId, 'shop', [
      { cluster: 'east', namespace: 'shop' },
    ]);
    const created = await harness.graphql('mutation($input: SloInput!) { createSlo(input: $input) { id } }', {
      token: editor,
      variables: {
        input: {
          name: 'cart-errors',
          gnsId,
          services: ['cart'],
          indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
          targetPercent: 99,
          window: '7d',
        },
      },
    });
    expect(created.body.errors).toBeUndefined();
    sloId = (created.body.data?.createSlo as { id: string }).id;
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** Runs `check` with the field resolvers named in `fields` requiring admin, then restores them. */
  async function withAdminOnly(fields: readonly string[], check: () => Promise<void>): Promise<void> {
    const raised: { method: object; permission: unknown }[] = [];
    for (const module of harness.app.get(ModulesContainer).values()) {
      for (const wrapper of module.providers.values()) {
        const instance = wrapper.instance as object | undefined;
        if (!instance || typeof instance !== 'object') continue;
        const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
        for (const name of Object.getOwnPropertyNames(prototype)) {
          const method = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
          if (typeof method !== 'function') continue;
          if (Reflect.getMetadata(RESOLVER_PROPERTY_METADATA, method) !== true) continue;
          if (!fields.includes(fieldNameOf(method, name))) continue;
          raised.push({ method, permission: Reflect.getMetadata(PERMISSION_KEY, method) });
          Reflect.defineMetadata(PERMISSION_KEY, { kind: 'role', role: 'admin' }, method);
        }
      }
    }
    expect(raised).toHaveLength(fields.length);
    try {
      await check();
    } finally {
      for (const { method, permission } of raised) Reflect.defineMetadata(PERMISSION_KEY, permission, method);
    }
  }

  it('refuses a field whose role the token lacks, while its parent query answers', async () => {
    // One query per field: a refused non-null field nulls its parent, and graphql-js then drops siblings.
    const queries: Record<string, string> = {
      'globalNamespace.ca': 'query($gns: ID!) { globalNamespace(id: $gns) { id ca { gnsId } } }',
      'globalNamespace.trafficPolicies':
        'query($gns: ID!) { globalNamespace(id: $gns) { id trafficPolicies { service } } }',
      'globalNamespace.securityPolicy':
        'query($gns: ID!) { globalNamespace(id: $gns) { id securityPolicy { version } } }',
      'slo.events': 'query($slo: ID!) { slo(id: $slo) { id events(first: 5) { nodes { id } } } }',
      'slo.history':
        'query($slo: ID!) { slo(id: $slo) { id history(from: "2026-01-01T00:00:00Z", to: "2026-01-01T01:00:00Z", step: 300) { timestamp } } }',
    };
    const variables = { gns: gnsId, slo: sloId };
    const refusedWhenRaised: Record<string, unknown> = {};
    const refusedAsDeclared: Record<string, unknown> = {};
    await withAdminOnly(['ca', 'trafficPolicies', 'securityPolicy', 'history', 'events'], async () => {
      for (const [path, query] of Object.entries(queries)) {
        const { body } = await harness.graphql(query, { token: viewer, variables });
        refusedWhenRaised[path] = (body.errors ?? []).map((error) => ({
          path: (error as { path?: string[] }).path?.join('.'),
          code: error.extensions?.code,
          message: error.message,
        }));
      }
      // The parents need viewer only, so they still answer.
      const parents = await harness.graphql(
        'query($gns: ID!, $slo: ID!) { globalNamespace(id: $gns) { id } slo(id: $slo) { id } }',
        { token: viewer, variables },
      );
      expect(parents.body).toEqual({ data: { globalNamespace: { id: gnsId }, slo: { id: sloId } } });
    });
    for (const [path, query] of Object.entries(queries)) {
      const { body } = await harness.graphql(query, { token: viewer, variables });
      refusedAsDeclared[path] = (body.errors ?? []).filter((error) => error.extensions?.code === 'FORBIDDEN');
    }
    expect(refusedWhenRaised).toEqual(
      Object.fromEntries(
        Object.keys(queries).map((path) => [
          path,
          [{ path, code: 'FORBIDDEN', message: 'this needs the admin role; the token has viewer' }],
        ]),
      ),
    );
    // With the roles they declare (viewer), no field is refused.
    expect(refusedAsDeclared).toEqual(Object.fromEntries(Object.keys(queries).map((path) => [path, []])));
  });
});
