import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import request from 'supertest';
import { AppModule } from '../../apps/controller/src/app.module';
import type { RuntimeConfig } from '../../apps/controller/src/platform/config/runtime-config.types';
import { issueToken } from '../../apps/controller/src/features/auth/token-format.util';
import { createTestDatabase, type TestDatabase } from './database';
import { testRuntimeConfig } from './runtime-config';

export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export type TokenRole = 'VIEWER' | 'EDITOR' | 'ADMIN';

/**
 * The whole controller in-process on a scratch database, for tests of the GraphQL face (and of
 * REST next to it): requests go through the real guards, pipes, filters and Apollo.
 */
export class GraphQLTestApp {
  private constructor(
    readonly app: INestApplication,
    readonly sql: Client,
    private readonly database: TestDatabase,
  ) {}

  static async start(env: Partial<RuntimeConfig['env']> = {}): Promise<GraphQLTestApp> {
    const database = await createTestDatabase();
    const config = testRuntimeConfig(database.url);
    const moduleRef = await Test.createTestingModule({
      // The agent gRPC port is chosen by the OS: test files run side by side.
      imports: [AppModule.forRoot({ ...config, env: { ...config.env, GRPC_PORT: 0, ...env } })],
    }).compile();
    const app = moduleRef.createNestApplication();
    await app.init();
    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    return new GraphQLTestApp(app, sql, database);
  }

  async close(): Promise<void> {
    await this.sql.end();
    await this.app.close();
    await this.database.drop();
  }

  /** A tenant and an API token of `role` for it, written straight into the database. */
  async seedTenant(name: string, role: TokenRole = 'VIEWER'): Promise<{ tenantId: string; token: string }> {
    const tenantId: string = (
      await this.sql.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), $1) RETURNING id`, [
        name,
      ])
    ).rows[0].id;
    return { tenantId, token: await this.seedToken(tenantId, role) };
  }

  async seedToken(tenantId: string, role: TokenRole): Promise<string> {
    const issued = issueToken();
    await this.sql.query(
      `INSERT INTO api_tokens (id, tenant_id, name, prefix, hash, role) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)`,
      [tenantId, role.toLowerCase(), issued.prefix, issued.hash, role],
    );
    return issued.token;
  }

  /** Replaces a cluster's reported inventory (libs/domain ClusterInventory, as the agent sends it). */
  async setInventory(
    clusterId: string,
    inventory: { namespaces: object[]; services: object[] },
  ): Promise<void> {
    await this.sql.query(`UPDATE clusters SET inventory = $2, inventory_updated_at = now() WHERE id = $1`, [
      clusterId,
      JSON.stringify(inventory),
    ]);
  }

  async graphql(
    query: string,
    options: { token?: string; variables?: Record<string, unknown> } = {},
  ): Promise<{ status: number; body: GraphQLResponse }> {
    const call = request(this.app.getHttpServer()).post('/graphql').set('content-type', 'application/json');
    if (options.token) call.set('authorization', `Bearer ${options.token}`);
    const response = await call.send({ query, variables: options.variables });
    return { status: response.status, body: response.body as GraphQLResponse };
  }

  /** A REST call with a bearer token; the JSON body as it came. */
  async rest(
    method: 'get' | 'post' | 'put',
    path: string,
    token: string,
    body?: object,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const call = request(this.app.getHttpServer())[method](path).set('authorization', `Bearer ${token}`);
    const response = body === undefined ? await call : await call.send(body);
    return { status: response.status, body: response.body as Record<string, unknown> };
  }
}
