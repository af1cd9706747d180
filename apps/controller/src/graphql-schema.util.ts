import { execFileSync } from 'node:child_process';
import type { DynamicModule, ForwardReference, Provider, Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { NestFactory } from '@nestjs/core';
import { GRAPHQL_SDL_FILE_HEADER, GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { AppModule } from './app.module';
import type { RuntimeConfig } from './platform/config/runtime-config.types';
import { SCHEMA_BUILD_OPTIONS, SCHEMA_FILE } from './platform/graphql/graphql.module';

/*
 * The GraphQL schema as the controller builds it at start-up, without starting it (no database,
 * no Redis): the same provider classes @nestjs/graphql scans, the same build options, printed as
 * its `autoSchemaFile` (sorted, with Nest's header). graphql-schema.spec.ts compares it with the
 * committed apps/controller/schema.gql and checks breaking changes against the changelog.
 */

type ModuleEntry = Type | DynamicModule | ForwardReference | Promise<DynamicModule> | undefined;

/** Every provider class of the app's module graph: what @nestjs/graphql scans for resolvers. */
export function appProviderClasses(): Type[] {
  // Only the module graph is read; the configuration is never used.
  const root = AppModule.forRoot({ env: {} } as RuntimeConfig);
  const visited = new Set<unknown>();
  const providers = new Set<Type>();
  const visit = (entry: ModuleEntry): void => {
    if (!entry || entry instanceof Promise || visited.has(entry)) return;
    visited.add(entry);
    if ('forwardRef' in entry) return visit(entry.forwardRef() as ModuleEntry);
    const dynamic = 'module' in entry ? entry : undefined;
    const moduleClass = dynamic ? dynamic.module : (entry as Type);
    const metadata = <T>(key: string): T[] =>
      (Reflect.getMetadata(key, moduleClass) as T[] | undefined) ?? [];
    for (const provider of [
      ...(dynamic?.providers ?? []),
      ...metadata<Provider>(MODULE_METADATA.PROVIDERS),
    ]) {
      const providerClass =
        typeof provider === 'function' ? provider : 'useClass' in provider ? provider.useClass : undefined;
      if (providerClass) providers.add(providerClass);
    }
    for (const imported of [...(dynamic?.imports ?? []), ...metadata<ModuleEntry>(MODULE_METADATA.IMPORTS)])
      visit(imported as ModuleEntry);
  };
  visit(root);
  return [...providers];
}

/** The schema file's text as the controller writes it at start-up. */
export async function printAppSchema(): Promise<string> {
  const context = await NestFactory.createApplicationContext(GraphQLSchemaBuilderModule, { logger: false });
  try {
    const schema = await context.get(GraphQLSchemaFactory).create(appProviderClasses(), SCHEMA_BUILD_OPTIONS);
    return GRAPHQL_SDL_FILE_HEADER + printSchema(lexicographicSortSchema(schema));
  } finally {
    await context.close();
  }
}

/**
 * The committed schema of the revision a change is judged against: `LATTICE_GRAPHQL_BASE_REF` (CI
 * sets the target branch), else where HEAD left `main`. Undefined when there is no git history to
 * read (a source archive), or the base has no schema file yet.
 */
export function baseSchema(projectRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const explicit = env.LATTICE_GRAPHQL_BASE_REF;
  let ref: string;
  try {
    ref = explicit ?? git('merge-base', 'HEAD', 'main').trim();
  } catch {
    return undefined;
  }
  try {
    return git('show', `${ref}:${SCHEMA_FILE}`);
  } catch (error) {
    // A base named on purpose must be readable; a missing default base only means no history here.
    if (explicit !== undefined)
      throw new Error(
        `LATTICE_GRAPHQL_BASE_REF=${explicit}: cannot read ${SCHEMA_FILE} there (${String(error)})`,
      );
    return undefined;
  }
}
