import fs from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import createClient, { type Middleware } from 'openapi-fetch';
import { projectRoot } from '@lattice/platform';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import type { components, paths } from './support/openapi/lattice-api';

/**
 * The committed OpenAPI document is the contract users generate clients from. This test uses a
 * client generated from it (openapi-typescript types, committed by `npm run openapi`, used through
 * openapi-fetch) against the real controller, and checks every answer — success or error — against
 * the schema the document gives for that operation and status.
 */

type Json = Record<string, unknown>;
type Document = {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, Json> }>>;
  components: { responses: Record<string, Json> };
};

const document = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'openapi.json'), 'utf8')) as Document;

/** Validates a response body against the schema the document declares for its operation and status. */
class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  readonly checked: string[] = [];
  readonly violations: string[] = [];

  constructor() {
    addFormats(this.ajv);
    this.ajv.addSchema({ ...document, $id: 'lattice' });
  }

  readonly middleware: Middleware = {
    onResponse: async ({ response, schemaPath, request }) => {
      const method = request.method.toLowerCase();
      const operation = document.paths[schemaPath]?.[method];
      const label = `${operation?.operationId ?? `${method} ${schemaPath}`} ${response.status}`;
      let declared = operation?.responses[String(response.status)];
      if (declared?.$ref) declared = document.components.responses[String(declared.$ref).split('/').pop()!];
      if (!declared) {
        this.violations.push(`${label}: status not documented`);
        return undefined;
      }
      const content = declared.content as Record<string, { schema: Json }> | undefined;
      const schema = content?.['application/json']?.schema;
      const text = await response.clone().text();
      if (!schema) {
        if (text !== '') this.violations.push(`${label}: documented without a body, answered ${text}`);
      } else {
        const validate = this.validatorFor(schema);
        if (!validate(JSON.parse(text)))
          this.violations.push(`${label}: ${this.ajv.errorsText(validate.errors)} in ${text.slice(0, 300)}`);
      }
      this.checked.push(label);
      return undefined;
    },
  };

  private validatorFor(schema: Json): ValidateFunction {
    const ref = typeof schema.$ref === 'string' ? schema.$ref : undefined;
    const key = ref ?? JSON.stringify(schema);
    let validate = this.validators.get(key);
    if (!validate) {
      validate = ref ? this.ajv.getSchema(`lattice${ref}`)! : this.ajv.compile(schema);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

describe('a client generated from the committed OpenAPI document', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  const contract = new ContractChecker();

  const clientWith = (token: string) => {
    const client = createClient<paths>({
      baseUrl: controller.baseUrl,
      headers: { Authorization: `Bearer ${token}` },
    });
    client.use(contract.middleware);
    return client;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({ databaseUrl: database.url });
    await controller.start();
  });

  afterAll(async () => {
    await controller?.stop();
    await database?.drop();
  });

  it('is what the running controller serves at /openapi.json', async () => {
    const served = await controller.request('GET', '/openapi.json');
    expect(served.status).toBe(200);
    // If this fails after a change to a controller: run `npm run openapi` and commit the result.
    expect(served.json).toEqual(document);
  });

  it('creates a tenant and a Global Namespace, lists clusters, and reads typed errors', async () => {
    const operator = clientWith(controller.operatorToken);
    const tenant = await operator.POST('/v1/tenants', { body: { name: 'openapi-client' } });
    expect(tenant.response.status).toBe(201);
    const api = clientWith(tenant.data!.adminToken.token);
    const matchConditions: components['schemas']['MatchConditionDto'][] = [
      { cluster: { type: 'PREFIX', value: 'prod-' }, namespace: { type: 'EXACT', value: 'shop' } },
    ];

    const gns = await api.POST('/v1/global-namespaces', {
      body: {
        name: 'shop',
        domain: 'shop.lattice.local',
        matchConditions,
      },
    });
    expect(gns.response.status).toBe(201);
    expect(gns.data).toMatchObject({ name: 'shop', mtlsMode: 'STRICT', version: 1 });
    const etag = gns.response.headers.get('etag')!;

    const registered = await api.POST('/v1/clusters', {
      body: { name: 'prod-east', eastWestAddress: '203.0.113.10', labels: { region: 'east' } },
    });
    expect(registered.response.status).toBe(201);
    expect(registered.data!.bootstrap.token).toMatch(/^lbt_/);

    const clusters = await api.GET('/v1/clusters', { params: { query: { limit: 10 } } });
    expect(clusters.response.status).toBe(200);
    expect(clusters.data!.items.map((cluster) => [cluster.name, cluster.status])).toEqual([
      ['prod-east', 'PENDING'],
    ]);
    expect(clusters.data!.nextCursor).toBeNull();

    // Errors come back typed as the one error schema.
    const missing = await api.GET('/v1/global-namespaces/{id}', {
      params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
    });
    expect(missing.response.status).toBe(404);
    const notFound: components['schemas']['ErrorBodyView'] | undefined = missing.error;
    expect(notFound).toMatchObject({ statusCode: 404, error: 'NOT_FOUND' });
    expect(notFound!.requestId).toBe(missing.response.headers.get('x-request-id'));

    const invalid = await api.POST('/v1/global-namespaces', {
      body: { name: 'Not A Label', domain: 'x.lattice.local', matchConditions: [] },
    });
    expect(invalid.response.status).toBe(400);
    expect(invalid.error).toMatchObject({ statusCode: 400, error: 'VALIDATION' });
    expect(invalid.error!.errors!.map((problem) => problem.field)).toContain('name');

    const taken = await api.POST('/v1/global-namespaces', {
      body: { name: 'shop', domain: 'shop2.lattice.local', matchConditions },
    });
    expect(taken.response.status).toBe(409);

    // If-Match: missing 428, stale 412, current 200 (PUT updates answer 200).
    const replacement = {
      name: 'shop',
      domain: 'shop.lattice.local',
      description: 'the shop',
      matchConditions,
    };
    const id = gns.data!.id;
    // The generated types require If-Match here; a client that skips them gets 428.
    const withoutIfMatch = await api.PUT('/v1/global-namespaces/{id}', {
      params: { path: { id } } as { path: { id: string }; header: { 'If-Match': string } },
      body: replacement,
    });
    expect(withoutIfMatch.response.status).toBe(428);
    const stale = await api.PUT('/v1/global-namespaces/{id}', {
      params: { path: { id }, header: { 'If-Match': '"7"' } },
      body: replacement,
    });
    expect(stale.response.status).toBe(412);
    const replaced = await api.PUT('/v1/global-namespaces/{id}', {
      params: { path: { id }, header: { 'If-Match': etag } },
      body: replacement,
    });
    expect(replaced.response.status).toBe(200);
    expect(replaced.data).toMatchObject({ description: 'the shop', version: 2 });

    // A viewer is refused a write with 403; no token at all is 401.
    const viewerToken = await api.POST('/v1/tokens', { body: { name: 'viewer', role: 'viewer' } });
    expect(viewerToken.response.status).toBe(201);
    const viewer = clientWith(viewerToken.data!.token);
    const refused = await viewer.DELETE('/v1/global-namespaces/{id}', { params: { path: { id } } });
    expect(refused.response.status).toBe(403);
    const anonymous = clientWith('lat_unknown_token');
    expect((await anonymous.GET('/v1/tenant')).response.status).toBe(401);

    // Create-or-replace answers 201, then 200; a webhook test delivery is accepted (202).
    // (A security policy needs no member service, unlike a traffic policy.)
    const policy = { defaultAction: 'ALLOW', rules: [] };
    const createdPolicy = await api.PUT('/v1/global-namespaces/{gnsId}/security-policy', {
      params: { path: { gnsId: id } },
      body: policy,
    });
    expect({ status: createdPolicy.response.status, error: createdPolicy.error }).toEqual({
      status: 201,
      error: undefined,
    });
    const replacedPolicy = await api.PUT('/v1/global-namespaces/{gnsId}/security-policy', {
      params: { path: { gnsId: id }, header: { 'If-Match': createdPolicy.response.headers.get('etag')! } },
      body: policy,
    });
    expect(replacedPolicy.response.status).toBe(200);
    const hook = await api.POST('/v1/webhooks', { body: { name: 'oncall', url: 'http://127.0.0.1:9/hook' } });
    expect(hook.response.status).toBe(201);
    const delivery = await api.POST('/v1/webhooks/{id}/test', { params: { path: { id: hook.data!.id } } });
    expect(delivery.response.status).toBe(202);
    expect(delivery.data).toMatchObject({ eventType: 'webhook.test' });

    expect(contract.violations).toEqual([]);
    expect(contract.checked.length).toBeGreaterThanOrEqual(16);
  });
});
