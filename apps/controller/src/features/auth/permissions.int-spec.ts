import { Test } from '@nestjs/testing';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import { RESOLVER_TYPE_METADATA } from '@nestjs/graphql';
import { AppModule } from '../../app.module';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { PERMISSION_KEY } from '../../platform/auth/permissions.decorator';

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
          if (!isRoute && !isResolverField) continue;
          handlers++;
          const permission = reflector.getAllAndOverride(PERMISSION_KEY, [
            method as () => void,
            wrapper.metatype as () => void,
          ]);
          if (!permission) undeclared.push(`${wrapper.name}.${name}`);
        }
      }
      expect(handlers).toBeGreaterThan(5);
      expect(undeclared).toEqual([]);
    } finally {
      await moduleRef.close();
    }
  });
});
