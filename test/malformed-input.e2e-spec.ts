import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { agentClient, eventually, registerAgent, TestStream } from './support/grpc-agent-client';
import { createCluster, createTenant, type TestTenant } from './support/tenants';

/**
 * The house rule, checked from the outside: bad input anywhere gets a clear 4xx / GraphQL error /
 * gRPC refusal naming what is wrong — never a 500, a crash or lost data. Cases are generated from
 * the served OpenAPI document and the GraphQL schema, so a new route or argument is covered as soon
 * as it is documented.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = {
  $ref?: string;
  /** OpenAPI 3.1: a nullable field's type is a list with 'null' (or anyOf [{$ref}, {type: 'null'}]). */
  type?: string | string[];
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
};
type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};
type OpenApi = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

interface Case {
  label: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** The property an answer's errors[] must name (400s only). */
  names?: string;
  /** Some inputs may be accepted (e.g. null for an optional field); they still must not be a 5xx. */
  mayBeAccepted?: boolean;
  /** Send the current ETag of this object as If-Match, so the body itself is judged (not a stale version). */
  etagFrom?: string;
}

const HUGE = 'x'.repeat(100 * 1024);
const FOREIGN_UUID = '00000000-0000-4000-8000-000000000000';
const BAD_IDS = [
  'not-a-uuid',
  `${FOREIGN_UUID}x`,
  'a'.repeat(2000),
  '%00',
  '%FF',
  '%E0%A4%A',
  '..%2F..%2Fetc',
  FOREIGN_UUID.toUpperCase() + '%20',
];
const BAD_IF_MATCH = [
  'abc',
  '"-1"',
  '"99999999999"',
  '*',
  '"1", "2"',
  'W/"x"',
  `"${'9'.repeat(5000)}"`,
  '""',
];
const BAD_NUMBERS: Json[] = ['NaN', '1e308', 1e308, -1, 1.5, 'Infinity', '', 2 ** 53 + 2];
const BAD_QUERY_VALUES = ['abc', '0', '-1', '1.5', '1e308', 'NaN', '', '%00', 'x'.repeat(5000)];
const WRONG_TYPES: Record<string, Json> = {
  string: 'a-string',
  number: 12345,
  object: { a: 1 },
  array: [1],
  boolean: true,
};

const SECURITY_POLICY: Json = {
  defaultAction: 'DENY',
  services: [{ service: 'cart', mtlsMode: 'STRICT', serviceAccount: 'cart' }],
  rules: [
    { name: 'cart-self', action: 'ALLOW', from: ['cart'], to: 'cart', methods: ['POST'], paths: ['/charge'] },
  ],
};

function deeplyNested(depth: number): Json {
  let value: Json = { leaf: 1 };
  for (let i = 0; i < depth; i++) value = { nested: value };
  return value;
}

function resolve(document: OpenApi, schema: Schema | undefined): Schema | undefined {
  const nonNull = schema?.anyOf?.find((option) => option.type !== 'null') ?? schema;
  if (!nonNull?.$ref) return nonNull;
  return document.components.schemas[nonNull.$ref.split('/').pop()!];
}

function isNullable(schema: Schema | undefined): boolean {
  const types = [schema?.type, ...(schema?.anyOf ?? []).map((option) => option.type)].flat();
  return types.includes('null');
}

function typeOf(document: OpenApi, schema: Schema | undefined): string | undefined {
  const resolved = resolve(document, schema);
  if (!resolved) return undefined;
  const type = [resolved.type].flat().find((name) => name !== 'null');
  if (type) return type === 'integer' ? 'number' : type;
  return resolved.properties ? 'object' : undefined;
}

/** A plausible valid value for a schema (examples, enums and defaults), overridden per property. */
function sampleOf(
  document: OpenApi,
  schema: Schema | undefined,
  overrides: Record<string, Json>,
  name = '',
): Json {
  if (name in overrides) return overrides[name]!;
  const resolved = resolve(document, schema);
  if (!resolved) return null;
  if (resolved.example !== undefined) return resolved.example as Json;
  if (resolved.enum) return resolved.enum[0] as Json;
  if (resolved.default !== undefined) return resolved.default as Json;
  switch (typeOf(document, resolved)) {
    case 'string':
      return 'sample';
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [sampleOf(document, resolved.items, overrides)];
    default: {
      const sample: Record<string, Json> = {};
      for (const [key, property] of Object.entries(resolved.properties ?? {}))
        sample[key] = sampleOf(document, property, overrides, key);
      return sample;
    }
  }
}

/** Every (path, schema, required) inside a body: properties of objects and the first item of arrays. */
function* walk(
  document: OpenApi,
  schema: Schema | undefined,
  value: Json,
  path: (string | number)[] = [],
): Generator<{ path: (string | number)[]; schema?: Schema; value: Json; required: boolean | undefined }> {
  const resolved = resolve(document, schema);
  if (Array.isArray(value)) {
    if (value.length > 0) yield* walkChild(document, resolved?.items, value[0]!, [...path, 0], true);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    const propertySchema = resolved?.properties?.[key];
    // Free-form objects (policy specs, documented by example) do not say what is required.
    const required = resolved?.properties ? (resolved.required ?? []).includes(key) : undefined;
    yield* walkChild(document, propertySchema, child, [...path, key], required);
  }
}

function* walkChild(
  document: OpenApi,
  schema: Schema | undefined,
  value: Json,
  path: (string | number)[],
  required: boolean | undefined,
): Generator<{ path: (string | number)[]; schema?: Schema; value: Json; required: boolean | undefined }> {
  yield { path, schema, value, required };
  yield* walk(document, schema, value, path);
}

function withValueAt(body: Json, path: (string | number)[], value: Json | undefined): Json {
  const copy = structuredClone(body);
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function kindOf(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Malformed variants of a valid body: one thing wrong at a time. */
function bodyCases(document: OpenApi, schema: Schema, base: Json): Omit<Case, 'method' | 'path'>[] {
  const cases: Omit<Case, 'method' | 'path'>[] = [];
  const add = (label: string, body: Json, names?: string, mayBeAccepted = false) =>
    cases.push({ label, body: JSON.stringify(body), names, mayBeAccepted });
  for (const node of walk(document, schema, base)) {
    const at = node.path.join('.');
    const top = String(node.path[0]);
    const actual = kindOf(node.value);
    const declared = typeOf(document, node.schema);
    for (const [kind, wrong] of Object.entries(WRONG_TYPES)) {
      if (kind === actual || kind === declared) continue;
      add(`${at} as ${kind}`, withValueAt(base, node.path, wrong), top);
    }
    add(
      `${at} as null`,
      withValueAt(base, node.path, null),
      top,
      node.required === false || isNullable(node.schema),
    );
    if (node.required !== false && typeof node.path[node.path.length - 1] === 'string') {
      // Leaving out a field of a free-form spec may be fine (or break a reference elsewhere).
      if (node.required) add(`${at} missing`, withValueAt(base, node.path, undefined), top);
      else add(`${at} missing`, withValueAt(base, node.path, undefined), undefined, true);
    }
    if (actual === 'string') {
      add(`${at} as a 100 kB string`, withValueAt(base, node.path, HUGE), top);
      add(`${at} with a NUL character`, withValueAt(base, node.path, `${node.value as string}\u0000`), top);
    }
    if (actual === 'string' && resolve(document, node.schema)?.enum)
      add(`${at} not in the enum`, withValueAt(base, node.path, 'NOT_A_VALUE'), top);
    if (actual === 'number')
      for (const number of BAD_NUMBERS)
        add(`${at} as ${JSON.stringify(number)}`, withValueAt(base, node.path, number), top, number === 1.5);
    if (actual === 'object' && node.path.length < 4) {
      add(`${at} with an unknown field`, withValueAt(base, [...node.path, 'unknownField'], 1), top);
      add(`${at} nested 200 deep`, withValueAt(base, node.path, deeplyNested(200)), top);
    }
    if (actual === 'array')
      add(
        `${at} with 10,000 items`,
        withValueAt(
          base,
          node.path,
          Array(10_000).fill(
            node.value && (node.value as Json[])[0] !== undefined ? (node.value as Json[])[0]! : 1,
          ),
        ),
        top,
        true,
      );
  }
  add('unknown top-level field', withValueAt(base, ['unknownField'], 'x'), 'unknownField');
  cases.push({
    label: 'body nested 5,000 deep',
    body: `${'{"nested":'.repeat(5_000)}{}${'}'.repeat(5_000)}`,
  });
  for (const wrong of [[], 'text', 42, null, true] as Json[]) add(`body as ${kindOf(wrong)}`, wrong);
  add('empty object', {}, undefined, !(resolve(document, schema)?.required ?? []).length);
  cases.push({ label: 'invalid JSON', body: '{"name": "x",' });
  cases.push({ label: 'trailing garbage', body: `${JSON.stringify(base)}}}` });
  // JSON only: a valid document under another content type is refused, not parsed some other way.
  cases.push({ label: 'text/plain body', body: JSON.stringify(base), contentType: 'text/plain' });
  cases.push({ label: 'XML body', body: '<spec><name>x</name></spec>', contentType: 'application/xml' });
  cases.push({
    label: 'form body',
    body: 'name=x&role=admin',
    contentType: 'application/x-www-form-urlencoded',
  });
  cases.push({
    label: '2 MB body',
    body: JSON.stringify({ ...(base as object), description: 'x'.repeat(2 * 1024 * 1024) }),
  });
  return cases;
}

describe('malformed input gets a clear 4xx, never a 500 or a crash', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let ids: Record<string, string>;
  let stream: TestStream | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: {
        LATTICE_RATE_LIMIT_PER_MINUTE: '1000000',
        LATTICE_GRAPHQL_INTROSPECTION: 'true',
        // The test agent stays quiet while REST is probed; it must not be dropped as silent meanwhile.
        LATTICE_AGENT_HEARTBEAT_SECONDS: '300',
      },
    });
    await controller.start();
    tenant = await createTenant(controller, 'malformed');
    // A connected agent reports a "cart" service in namespace "shop", so the GNS has a member
    // service and SLO bodies are valid apart from the one thing each case breaks.
    const cluster = await createCluster(controller, tenant.adminToken, 'edge-east', '10.0.0.1');
    const identity = await registerAgent(
      agentClient(controller.grpcAddress, cluster.controllerCaPem),
      cluster.bootstrapToken,
      'edge-east',
    );
    stream = new TestStream(agentClient(controller.grpcAddress, cluster.controllerCaPem, identity));
    stream.send({ hello: { clusterId: identity.clusterId, appliedVersion: 0, agentVersion: 'test' } });
    stream.send({
      inventory: {
        full: true,
        revision: 1,
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
      },
    });
    const gns = await controller.request('POST', '/v1/global-namespaces', {
      token: tenant.adminToken,
      body: {
        name: 'shop',
        domain: 'shop.lattice.local',
        matchConditions: [
          { cluster: { type: 'PREFIX', value: 'edge-' }, namespace: { type: 'EXACT', value: 'shop' } },
        ],
      },
    });
    expect(gns.status).toBe(201);
    const webhook = await controller.request('POST', '/v1/webhooks', {
      token: tenant.adminToken,
      body: { name: 'oncall', url: 'http://127.0.0.1:9/hook' },
    });
    expect(webhook.status).toBe(201);
    const token = await controller.request('POST', '/v1/tokens', {
      token: tenant.adminToken,
      body: { name: 'ci', role: 'viewer' },
    });
    ids = {
      clusters: cluster.id,
      'global-namespaces': gns.json.id as string,
      webhooks: webhook.json.id as string,
      tokens: token.json.id as string,
    };
    ids.slos = (await eventually(
      async () => {
        const slo = await controller.request('POST', '/v1/slos', {
          token: tenant.adminToken,
          body: {
            name: 'cart-errors',
            gnsId: ids['global-namespaces'],
            services: ['cart'],
            indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
            targetPercent: 99,
            window: '30d',
          },
        });
        return slo.status === 201 ? (slo.json.id as string) : undefined;
      },
      (id) => id !== undefined,
    )) as string;
  }, 60_000);

  afterAll(async () => {
    stream?.cancel();
    await controller?.stop();
    await database?.drop();
  });

  const send = async (c: Case) => {
    let ifMatch: Record<string, string> = {};
    if (c.etagFrom) {
      const current = await controller.request('GET', c.etagFrom, { token: tenant.adminToken });
      const etag = current.headers.get('etag');
      if (current.status === 200 && etag) ifMatch = { 'if-match': etag };
    }
    const response = await fetch(`${controller.baseUrl}${c.path}`, {
      method: c.method,
      headers: {
        authorization: `Bearer ${tenant.adminToken}`,
        ...(c.body !== undefined ? { 'content-type': c.contentType ?? 'application/json' } : {}),
        ...ifMatch,
        ...c.headers,
      },
      body: c.body,
    });
    const text = await response.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  };

  /** What is wrong with an answer, or undefined when it is a clear refusal. */
  const problemWith = (c: Case, status: number, json: Record<string, unknown> | undefined, text: string) => {
    if (status >= 500) return `answered ${status}: ${text.slice(0, 300)}`;
    if (status < 400) return c.mayBeAccepted ? undefined : `accepted (${status}): ${text.slice(0, 200)}`;
    if (
      !json ||
      json.statusCode !== status ||
      typeof json.error !== 'string' ||
      typeof json.message !== 'string' ||
      typeof json.requestId !== 'string' ||
      json.requestId === ''
    )
      return `${status} without the error shape: ${text.slice(0, 300)}`;
    if (status === 400 && c.names) {
      const errors = json.errors as { field?: string; message?: string }[] | undefined;
      if (!Array.isArray(errors) || errors.length === 0) return `400 without errors[]: ${text.slice(0, 300)}`;
      if (!errors.some((e) => typeof e.field === 'string' && e.field.split(/[.[]/)[0] === c.names))
        return `400 whose errors[] does not name ${c.names}: ${JSON.stringify(errors).slice(0, 300)}`;
    }
    return undefined;
  };

  const expectAllRefused = async (cases: Case[]) => {
    const failures: string[] = [];
    for (const c of cases) {
      const { status, json, text } = await send(c);
      const problem = problemWith(c, status, json, text);
      if (problem) failures.push(`${c.method} ${c.path.slice(0, 120)} [${c.label}]: ${problem}`);
    }
    expect(failures).toEqual([]);
  };

  const openApi = async () => (await controller.request('GET', '/openapi.json')).json as unknown as OpenApi;

  const concretePath = (route: string) =>
    route
      .replace(/\{(id|gnsId)\}/g, (_, name: string) =>
        name === 'gnsId' ? ids['global-namespaces']! : (ids[route.split('/')[2]!] ?? FOREIGN_UUID),
      )
      .replace('{service}', 'cart')
      .replace('{kind}', 'globalnamespaces')
      .replace('{name}', 'malformed-probe');

  it('refuses malformed bodies on every route that takes one', async () => {
    const document = await openApi();
    const cases: Case[] = [];
    const overrides: Record<string, Json> = {
      gnsId: ids['global-namespaces']!,
      services: ['cart'],
      url: 'http://127.0.0.1:9/hook',
      expiresAt: '2099-01-01T00:00:00Z',
      service: 'cart',
      eastWestAddress: '10.0.0.2',
      labels: { region: 'eu' },
      // Examples name things a case would otherwise break by accident.
      window: '30d',
      matchConditions: [
        { cluster: { type: 'PREFIX', value: 'edge-' }, namespace: { type: 'EXACT', value: 'shop' } },
      ],
      securityPolicy: SECURITY_POLICY,
    };
    let routes = 0;
    for (const [route, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const schema = operation.requestBody?.content?.['application/json']?.schema;
        if (!schema) continue;
        routes++;
        const resolved = resolve(document, schema)!;
        let base = sampleOf(document, resolved, overrides);
        // The examples name clusters and services this GNS does not have.
        if (route.endsWith('/traffic-policies/{service}')) base = withValueAt(base, ['failover'], undefined);
        if (route.endsWith('/security-policy')) base = SECURITY_POLICY;
        if (route.endsWith('/policies/dry-run'))
          base = withValueAt(base, ['trafficPolicies', 0, 'spec', 'failover'], undefined);
        const versioned = operation.parameters?.some((p) => p.in === 'header' && p.name === 'If-Match');
        for (const c of bodyCases(document, resolved, base))
          cases.push({
            ...c,
            method: method.toUpperCase(),
            path: concretePath(route),
            etagFrom: versioned ? concretePath(route) : undefined,
          });
      }
    }
    expect(routes).toBeGreaterThanOrEqual(10);
    await expectAllRefused(cases);
  }, 300_000);

  it('says what is wrong with a body that is not JSON at all', async () => {
    const post = (body: string, contentType: string) =>
      fetch(`${controller.baseUrl}/v1/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': contentType },
        body,
      }).then(async (response) => ({
        status: response.status,
        json: (await response.json()) as Record<string, unknown>,
        requestId: response.headers.get('x-request-id'),
      }));
    const invalid = await post('{"name": ', 'application/json');
    expect(invalid).toMatchObject({
      status: 400,
      json: { error: 'MALFORMED_JSON', message: expect.stringMatching(/^request body is not valid JSON/) },
    });
    expect(invalid.json.requestId).toBe(invalid.requestId);
    expect(await post('name=x&url=http://h', 'application/x-www-form-urlencoded')).toMatchObject({
      status: 415,
      json: { message: expect.stringMatching(/application\/json/) },
    });
    expect(
      await post(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }), 'application/json'),
    ).toMatchObject({ status: 413, json: { error: 'PAYLOAD_TOO_LARGE' } });
    expect(
      await post(JSON.stringify({ name: 'a\u0000b', url: 'http://127.0.0.1:9/x' }), 'application/json'),
    ).toMatchObject({
      status: 400,
      json: { errors: [{ field: 'name', message: expect.stringMatching(/NUL/) }] },
    });
  });

  it('refuses malformed query parameters, path ids and If-Match headers', async () => {
    const document = await openApi();
    const cases: Case[] = [];
    for (const [route, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const upper = method.toUpperCase();
        const parameters = operation.parameters ?? [];
        const path = concretePath(route);
        for (const query of parameters.filter((p) => p.in === 'query')) {
          for (const value of BAD_QUERY_VALUES) {
            // A free-text filter (cursor aside) may legitimately match nothing.
            const filter =
              typeOf(document, query.schema) === 'string' && !['cursor', 'gnsId'].includes(query.name);
            if (filter && value.length < 1000 && value !== '%00') continue;
            // An empty cursor is the same as none: the first page.
            const mayBeAccepted = value === '' && query.name === 'cursor';
            cases.push({
              label: `${query.name}=${value.slice(0, 20)}`,
              method: upper,
              path: `${path}?${query.name}=${value}`,
              names: query.name,
              mayBeAccepted,
            });
          }
          cases.push({
            label: `${query.name} twice`,
            method: upper,
            path: `${path}?${query.name}=1&${query.name}=2`,
            names: query.name,
          });
          cases.push({
            label: `${query.name}[]`,
            method: upper,
            path: `${path}?${query.name}[a]=1`,
            names: query.name,
          });
        }
        if (parameters.some((p) => p.in === 'query'))
          cases.push({
            label: 'unknown query parameter',
            method: upper,
            path: `${path}?unknownParam=1`,
            mayBeAccepted: true,
          });
        for (const pathParameter of parameters.filter((p) => p.in === 'path' && p.name !== 'service')) {
          for (const bad of BAD_IDS) {
            const withBadId = route
              .replace(`{${pathParameter.name}}`, bad)
              .replace(/\{[^}]+\}/g, (m) =>
                m === '{service}' ? 'cart' : concretePath(m === '{gnsId}' ? '{gnsId}' : route).split('/')[3]!,
              );
            cases.push({
              label: `${pathParameter.name}=${bad.slice(0, 20)}`,
              method: upper,
              path: withBadId,
              body: ['POST', 'PUT', 'PATCH'].includes(upper) ? '{}' : undefined,
              headers: { 'if-match': '"1"' },
            });
          }
        }
        if (parameters.some((p) => p.name === 'service')) {
          for (const bad of ['Not_A_Service!', 'a'.repeat(300), '%00']) {
            cases.push({
              label: `service=${bad.slice(0, 20)}`,
              method: upper,
              path: path.replace(/\/cart(?=\/|$)/, `/${bad}`),
              body: ['POST', 'PUT', 'PATCH'].includes(upper) ? JSON.stringify({}) : undefined,
            });
          }
        }
        if (parameters.some((p) => p.in === 'header' && p.name === 'If-Match')) {
          for (const bad of BAD_IF_MATCH) {
            cases.push({
              label: `If-Match ${bad.slice(0, 20)}`,
              method: upper,
              path,
              body: ['POST', 'PUT', 'PATCH'].includes(upper) ? '{}' : undefined,
              headers: { 'if-match': bad },
            });
          }
        }
      }
    }
    await expectAllRefused(cases);
    // Nothing was lost on the way: every object is still there.
    for (const resource of ['clusters', 'global-namespaces', 'webhooks', 'slos', 'tokens']) {
      const response = await controller.request('GET', `/v1/${resource}/${ids[resource]}`, {
        token: tenant.adminToken,
      });
      expect({ resource, status: response.status }).toEqual({ resource, status: 200 });
    }
  }, 300_000);

  it('answers malformed GraphQL arguments with BAD_USER_INPUT-like errors naming the argument', async () => {
    type TypeRef = { kind: string; name: string | null; ofType: TypeRef | null };
    type Field = { name: string; args: { name: string; type: TypeRef }[]; type: TypeRef };
    type FullType = {
      name: string;
      kind: string;
      fields: Field[] | null;
      inputFields: { name: string; type: TypeRef }[] | null;
      enumValues: { name: string }[] | null;
    };
    const typeRef =
      'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';
    const introspection = await graphql(
      `{ __schema { types { name kind enumValues { name } inputFields { name type { ${typeRef} } } fields { name type { ${typeRef} } args { name type { ${typeRef} } } } } } }`,
    );
    const types = new Map(
      (introspection.data as { __schema: { types: FullType[] } }).__schema.types.map((t) => [t.name, t]),
    );
    const render = (t: TypeRef): string =>
      t.kind === 'NON_NULL'
        ? `${render(t.ofType!)}!`
        : t.kind === 'LIST'
          ? `[${render(t.ofType!)}]`
          : t.name!;
    const named = (t: TypeRef): TypeRef => (t.ofType ? named(t.ofType) : t);
    const minute = (msAgo: number) =>
      new Date(Math.floor((Date.now() - msAgo) / 60_000) * 60_000).toISOString();
    /** Valid arguments: required input fields only, with values the resolvers accept. */
    const validValue = (t: TypeRef, argName: string): Json => {
      if (t.kind === 'NON_NULL') return validValue(t.ofType!, argName);
      if (t.kind === 'LIST') return [validValue(t.ofType!, argName)];
      const type = types.get(t.name!)!;
      if (type.kind === 'ENUM') return type.enumValues![0]!.name;
      if (type.kind === 'INPUT_OBJECT') {
        const value: Record<string, Json> = {};
        for (const field of type.inputFields!)
          if (field.type.kind === 'NON_NULL' || field.name === 'maxErrorRatePercent')
            value[field.name] = validValue(field.type, field.name);
        return value;
      }
      switch (t.name) {
        case 'ID':
          return argName === 'gnsId' ? ids['global-namespaces']! : ids.slos!;
        case 'Int':
          return argName === 'version' ? 999 : argName === 'step' ? 60 : 10;
        case 'Float':
          return argName === 'targetPercent' ? 99 : 1;
        case 'Boolean':
          return false;
        case 'DateTime':
          return argName === 'from' ? minute(3600_000) : minute(0);
        case 'JSONObject':
          return argName === 'securityPolicy' || (argName === 'spec' && securityArgs)
            ? { defaultAction: 'ALLOW' }
            : { timeout: '5s' };
        default:
          return (
            { window: '30d', kind: 'ERROR_RATE', services: 'cart', service: 'cart', name: 'probe-slo' }[
              argName
            ] ?? 'sample'
          );
      }
    };
    let securityArgs = false;
    const invalidValues = (t: TypeRef): { label: string; value: Json | undefined }[] => {
      const nonNull = t.kind === 'NON_NULL';
      const inner = nonNull ? t.ofType! : t;
      const out: { label: string; value: Json | undefined }[] = [];
      if (nonNull) out.push({ label: 'null', value: null }, { label: 'missing', value: undefined });
      if (inner.kind === 'LIST') return [...out, { label: 'object for a list', value: { a: 1 } }];
      const type = types.get(inner.name!)!;
      if (type.kind === 'INPUT_OBJECT') {
        out.push(
          { label: 'string for an input', value: 'x' },
          { label: 'unknown input field', value: { ...(validValue(inner, '') as object), unknownField: 1 } },
        );
        return out;
      }
      switch (inner.name) {
        case 'Int':
          return [
            ...out,
            { label: 'string', value: 'ten' },
            { label: '2^31', value: 2 ** 31 },
            { label: 'float', value: 1.5 },
            { label: 'negative', value: -1 },
            { label: 'zero', value: 0 },
            { label: '1e308', value: 1e308 },
          ];
        case 'Float':
          return [
            ...out,
            { label: 'string', value: 'NaN' },
            { label: '1e308', value: 1e308 },
            { label: 'negative', value: -1 },
          ];
        case 'DateTime':
          return [
            ...out,
            { label: 'not a date', value: 'yesterday' },
            { label: 'number', value: 1 },
            { label: 'year 275760+', value: '+275761-01-01T00:00:00Z' },
          ];
        case 'JSONObject':
          return [
            ...out,
            { label: 'array', value: [1] },
            { label: 'string', value: 'x' },
            { label: 'nested 2,000 deep', value: deeplyNested(2000) },
          ];
        case 'Boolean':
          return [...out, { label: 'string', value: 'yes' }];
        default:
          return [
            ...out,
            { label: 'number', value: 7 },
            { label: 'object', value: { a: 1 } },
            { label: '100 kB', value: HUGE },
            { label: 'NUL', value: 'a\u0000b' },
            { label: 'empty', value: '' },
          ];
      }
    };
    /** Variants of an input object: each field wrong in turn. */
    const inputFieldVariants = (t: TypeRef, argName: string) => {
      const type = types.get(named(t).name!)!;
      if (type.kind !== 'INPUT_OBJECT' || t.kind === 'LIST') return [];
      const base = validValue(t, argName) as Record<string, Json>;
      return type.inputFields!.flatMap((field) =>
        invalidValues(field.type).map(({ label, value }) => ({
          label: `${argName}.${field.name} ${label}`,
          value: withValueAt(base, [field.name], value) as Json,
          names: field.name,
        })),
      );
    };

    const failures: string[] = [];
    let operations = 0;
    for (const root of ['Query', 'Mutation']) {
      for (const field of types.get(root)!.fields!) {
        if (field.args.length === 0) continue;
        const returned = types.get(named(field.type).name!)!;
        const selection = returned.kind === 'OBJECT' ? '{ __typename }' : '';
        const signature = field.args.map((a) => `$${a.name}: ${render(a.type)}`).join(', ');
        const callArgs = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
        const document = `${root === 'Query' ? 'query' : 'mutation'} Probe(${signature}) { ${field.name}(${callArgs}) ${selection} }`;
        securityArgs = /security/i.test(field.name);
        const valid: Record<string, Json> = {};
        for (const arg of field.args) valid[arg.name] = validValue(arg.type, arg.name);
        for (const arg of field.args) {
          const variants = [
            ...invalidValues(arg.type).map((v) => ({
              ...v,
              label: `${arg.name} ${v.label}`,
              names: arg.name,
            })),
            ...inputFieldVariants(arg.type, arg.name),
          ];
          for (const variant of variants) {
            // A missing or null optional argument is simply absent.
            if (variant.value === undefined || variant.value === null) {
              if (arg.type.kind !== 'NON_NULL' && !variant.label.includes('.')) continue;
            }
            const variables = { ...valid };
            if (variant.value === undefined) delete variables[arg.name];
            else variables[arg.name] = variant.value;
            operations++;
            const { status, body } = await graphqlRaw(document, variables);
            const errors = (body?.errors ?? []) as { message: string; extensions?: { code?: string } }[];
            const label = `${field.name} [${variant.label}]`;
            if (status >= 500 || !body)
              failures.push(`${label}: HTTP ${status}: ${JSON.stringify(body).slice(0, 300)}`);
            else if (errors.length === 0) {
              // A query may answer "nothing" (null, []) for a name that cannot exist; an empty optional text is fine.
              const harmless =
                / empty$/.test(variant.label) || (root === 'Query' && / 100 kB$/.test(variant.label));
              if (!harmless) failures.push(`${label}: accepted: ${JSON.stringify(body.data).slice(0, 200)}`);
            } else {
              const internal = errors.find((e) => !e.extensions?.code || /INTERNAL/.test(e.extensions.code));
              if (internal)
                failures.push(`${label}: ${internal.extensions?.code}: ${internal.message.slice(0, 200)}`);
              else if (
                !errors.some(
                  (e) =>
                    e.message.includes(variant.names) ||
                    JSON.stringify(e.extensions).includes(`"${variant.names}`),
                ) &&
                errors.every((e) =>
                  ['BAD_USER_INPUT', 'VALIDATION', 'GRAPHQL_VALIDATION_FAILED'].includes(e.extensions!.code!),
                )
              )
                failures.push(
                  `${label}: does not name ${variant.names}: ${errors
                    .map((e) => e.message)
                    .join(' | ')
                    .slice(-300)}`,
                );
            }
          }
        }
      }
    }
    expect(operations).toBeGreaterThan(50);
    expect(failures).toEqual([]);
    // deleteSlo with a wrong version must not have deleted it.
    expect(
      (await controller.request('GET', `/v1/slos/${ids.slos}`, { token: tenant.adminToken })).status,
    ).toBe(200);
  }, 300_000);

  it('answers malformed GraphQL requests (not just arguments) with a 4xx and a code', async () => {
    const post = async (body: string, contentType = 'application/json') => {
      const response = await fetch(`${controller.baseUrl}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': contentType },
        body,
      });
      const text = await response.text();
      return { status: response.status, text };
    };
    const cases: [string, string, string?][] = [
      ['invalid JSON', '{"query": "{ clusters { total } }"'],
      ['query not a string', JSON.stringify({ query: 42 })],
      ['no query', JSON.stringify({ variables: {} })],
      ['syntax error', JSON.stringify({ query: '{ clusters( }' })],
      ['unknown field', JSON.stringify({ query: '{ noSuchField }' })],
      ['unknown operation name', JSON.stringify({ query: 'query A { __typename }', operationName: 'B' })],
      [
        'variables not an object',
        JSON.stringify({ query: 'query($id: ID!) { slo(id: $id) { __typename } }', variables: '"x"' }),
      ],
      ['100 kB query', JSON.stringify({ query: `{ ${'__typename '.repeat(10_000)} }` })],
      ['deeply nested selection', JSON.stringify({ query: `{ ${'a { '.repeat(500)}b${' }'.repeat(500)} }` })],
      ['text/plain', JSON.stringify({ query: '{ __typename }' }), 'text/plain'],
    ];
    const failures: string[] = [];
    for (const [label, body, contentType] of cases) {
      const { status, text } = await post(body, contentType);
      if (status < 400 || status >= 500) failures.push(`${label}: HTTP ${status}: ${text.slice(0, 200)}`);
      else if (/INTERNAL/.test(text)) failures.push(`${label}: ${text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses malformed intermediate CSRs on the agent stream, which stays open', async () => {
    const caStatus = async () =>
      (
        await controller.request('GET', `/v1/global-namespaces/${ids['global-namespaces']}/ca`, {
          token: tenant.adminToken,
        })
      ).json as unknown as {
        intermediates: { clusterName: string; lastError: string | null; rootGeneration: number }[];
      };
    const request = await stream!.waitFor((message) => message.body === 'intermediateRequest', 30_000);
    const generation = request.intermediateRequest!.rootGeneration;
    const cases: [string, string, number][] = [
      [
        'garbage PEM',
        '-----BEGIN CERTIFICATE REQUEST-----\nnot base64 at all!!\n-----END CERTIFICATE REQUEST-----',
        generation,
      ],
      ['empty', '', generation],
      [
        '2 MB',
        `-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(2 * 1024 * 1024)}\n-----END CERTIFICATE REQUEST-----`,
        generation,
      ],
      ['binary', '\u0000\u0001\u0002\uffff', generation],
      ['absurd generation', '', 4_294_967_295],
    ];
    let previous: string | null = null;
    for (const [label, csrPem, rootGeneration] of cases) {
      stream!.send({ csr: { gnsId: ids['global-namespaces']!, csrPem, rootGeneration } });
      const lastError = await eventually(
        async () =>
          (await caStatus()).intermediates.find((i) => i.clusterName === 'edge-east')?.lastError ?? null,
        (error) => error !== null && error !== previous,
        15_000,
      ).catch(() => null);
      expect({ label, refused: lastError !== null && lastError.length < 500 }).toEqual({
        label,
        refused: true,
      });
      previous = lastError;
      // A heartbeat is still answered: the stream is up.
      const pings = stream!.received.filter((m) => m.body === 'ping').length;
      stream!.send({ heartbeat: {} });
      await stream!.waitFor(() => stream!.received.filter((m) => m.body === 'ping').length > pings, 5_000);
    }
    // Garbage gns ids are refused quietly, the stream carries on.
    for (const gnsId of ['', 'not-a-uuid', 'x'.repeat(100_000), FOREIGN_UUID]) {
      stream!.send({ csr: { gnsId, csrPem: 'x', rootGeneration: 1 } });
    }
    const pings = stream!.received.filter((m) => m.body === 'ping').length;
    stream!.send({ heartbeat: {} });
    await stream!.waitFor(() => stream!.received.filter((m) => m.body === 'ping').length > pings, 5_000);
  }, 90_000);

  it('refuses malformed mesh installation reports without ending the agent stream; MeshReady names the field', async () => {
    const meshReady = async () => {
      const clusters = (await controller.request('GET', '/v1/clusters', { token: tenant.adminToken }))
        .json as unknown as {
        items: { name: string; conditions: { type: string; reason: string; message: string }[] }[];
      };
      return clusters.items
        .find((cluster) => cluster.name === 'edge-east')!
        .conditions.find((condition) => condition.type === 'MeshReady')!;
    };
    const good = {
      meshConfigFound: true,
      meshConfigName: 'istio',
      trustDomain: 'cluster.local',
      dnsCapture: true,
      source: 'kubernetes',
    };
    const cases: [string, Record<string, unknown>, string][] = [
      ['alias with spaces', { ...good, trustDomainAliases: ['not a domain'] }, 'mesh.trustDomainAliases[0]'],
      ['2 MB trust domain', { ...good, trustDomain: 'a'.repeat(2 * 1024 * 1024) }, 'mesh.trustDomain'],
      ['control characters', { ...good, network: 'net\u0000\nforged' }, 'mesh.network'],
      [
        '10 000 aliases',
        { ...good, trustDomainAliases: Array.from({ length: 10_000 }, (_, i) => `a${i}.x`) },
        'mesh.trustDomainAliases',
      ],
      [
        'port 0',
        { ...good, eastWestGateway: { namespace: 'istio-system', name: 'gw', ports: [0] } },
        'mesh.eastWestGateway.ports[0]',
      ],
    ];
    for (const [label, mesh, field] of cases) {
      stream!.send({ mesh });
      const condition = await eventually(
        meshReady,
        (c) => c.reason === 'InvalidInstallationReport' && c.message.includes(`${field}:`),
        15_000,
      ).catch(() => null);
      expect({ label, refused: condition !== null && condition.message.length <= 2_000 }).toEqual({
        label,
        refused: true,
      });
      // A heartbeat is still answered: the stream is up.
      const pings = stream!.received.filter((m) => m.body === 'ping').length;
      stream!.send({ heartbeat: {} });
      await stream!.waitFor(() => stream!.received.filter((m) => m.body === 'ping').length > pings, 5_000);
      // Reset, so the next case's condition is its own.
      stream!.send({ mesh: { ...good, network: label.replace(/[^a-z0-9]/g, '-') } });
      await eventually(meshReady, (c) => c.reason !== 'InvalidInstallationReport', 15_000).catch(
        () => undefined,
      );
    }
  }, 120_000);

  it('is still healthy and logged no unhandled error', async () => {
    expect((await controller.request('GET', '/healthz')).status).toBe(200);
    const unhandled = controller.logs
      .split('\n')
      .filter((line) => /"level":(50|60)|unexpected error|Unhandled|uncaught/i.test(line));
    expect(unhandled).toEqual([]);
  });

  async function graphqlRaw(query: string, variables: Record<string, Json> = {}) {
    const response = await fetch(`${controller.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as { data?: unknown; errors?: unknown[] } };
    } catch {
      return { status: response.status, body: undefined };
    }
  }

  async function graphql(query: string, variables: Record<string, Json> = {}) {
    const { body } = await graphqlRaw(query, variables);
    return body!;
  }
});
