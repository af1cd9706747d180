import type { INestApplication } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PERMISSION_KEY, type Permission } from '../auth/permissions.decorator';
import { ErrorBodyView } from './error-response.dto';
import type { ErrorBody } from './error-response.util';

/** The OpenAPI version of the document; 3.1 is plain JSON Schema (nullable becomes a type union). */
export const OPENAPI_VERSION = '3.1.0';

const ERROR_SCHEMA = 'ErrorBodyView';

/** What the document assumes of a handler that declares no permission: it needs a token (and is refused). */
const UNDECLARED: Permission = { kind: 'operator' };

/** One tag per feature, in the order the document lists them. */
const TAGS: [name: string, description: string][] = [
  ['tenants', 'Tenants (platform operator) and the tenant of the calling token'],
  ['tokens', 'API tokens of the tenant: issue, list, revoke (admins)'],
  ['clusters', 'Clusters, their agents and bootstrap tokens (docs/agent.md)'],
  ['global-namespaces', 'Global Namespaces, their member services and certificate authority'],
  ['policies', 'Traffic and security policies of a Global Namespace (docs/policies.md)'],
  ['autoscaling', 'Autoscaling policies of GNS services and the decisions agents made (docs/autoscaling.md)'],
  ['slos', 'Service level objectives and their alert events (docs/slos.md)'],
  ['webhooks', 'Webhook endpoints and their deliveries (docs/webhooks.md)'],
  [
    'declarative',
    'Configuration as documents addressed by name: apply, dry run, export, prune, schemas (docs/gitops.md)',
  ],
  ['audit', 'The audit log (admins)'],
  ['health', 'Liveness and readiness probes'],
];

/**
 * The OpenAPI document of the REST API, as served at /openapi.json and committed as openapi.json /
 * openapi.yaml (`npm run openapi`). Works on an application created with `preview: true` (no
 * provider instantiated, no database), so the committed file is built from the same code as the
 * served one.
 *
 * Conventions applied here for every route, so controllers only declare what is route-specific
 * (success types, 409s and their reasons):
 * - operationIds are derived from the handler (operationIdOf);
 * - error responses are derived from what the route can answer (errorStatusesOf), all with the
 *   one error schema and an example.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion(OPENAPI_VERSION)
    .setTitle('Lattice API')
    .setDescription(
      'Global controller for multi-cluster service meshes: tenants, clusters, Global Namespaces, ' +
        'policies, SLOs and webhooks. Conventions (errors, paging, ETags, versioning): docs/api.md.',
    )
    .setVersion('v1')
    .addServer('/', 'the controller serving this document (e.g. http://localhost:8080)')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'API token (lat_...) or the platform operator token',
    });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const permissions = permissionsByHandler(app);
  const permissionByOperation = new Map<string, Permission | undefined>();
  const document = SwaggerModule.createDocument(app, builder.build(), {
    extraModels: [ErrorBodyView],
    operationIdFactory: (controllerKey, methodKey) => {
      const operationId = operationIdOf(controllerKey, methodKey);
      permissionByOperation.set(operationId, permissions.get(`${controllerKey}.${methodKey}`));
      return operationId;
    },
  });
  document.components = { ...document.components, responses: sharedResponses(), headers: SHARED_HEADERS };
  if (Object.keys(document.info.contact ?? {}).length === 0) delete document.info.contact;
  for (const item of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, OperationObject][]) {
      // A handler without a declaration is denied by the guard (403); permissions.int-spec.ts fails on it.
      const permission = permissionByOperation.get(operation.operationId ?? '') ?? UNDECLARED;
      describeOperation(method, operation, permission);
    }
  }
  return document;
}

/** Serves the document at /openapi.json and the UI at /docs. */
export function setUpOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
  });
}

/**
 * `<verb><Resource>`: a handler named by a bare verb (`list`, `get`, `create`, `replace`, `revoke`)
 * on `ClustersController` gets `listClusters`, `getCluster`, `createCluster`, ...; a handler whose
 * name already names its object (`listTrafficPolicies`, `getCurrentTenant`) keeps its name.
 */
export function operationIdOf(controllerKey: string, methodKey: string): string {
  if (/[A-Z]/.test(methodKey)) return methodKey;
  const plural = controllerKey.replace(/Controller$/, '');
  if (methodKey === 'list') return `list${plural}`;
  return `${methodKey}${singular(plural)}`;
}

/** `listGlobalNamespaceServices` → `List global namespace services`, unless the handler has an @ApiOperation summary. */
export function summaryOf(operationId: string): string {
  const words = operationId
    .split(/(?=[A-Z])/)
    .map((word) => (ACRONYMS.has(word) ? word.toUpperCase() : word.toLowerCase()));
  const sentence = words.join(' ');
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

const ACRONYMS = new Set(['Ca', 'Slo']);

function singular(plural: string): string {
  if (plural.endsWith('ies')) return `${plural.slice(0, -3)}y`;
  return plural.endsWith('s') ? plural.slice(0, -1) : plural;
}

/** `ClustersController.list` → the permission it declares (handler first, then class). */
function permissionsByHandler(app: INestApplication): Map<string, Permission | undefined> {
  const permissions = new Map<string, Permission | undefined>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (abstract new () => unknown) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined)
          continue;
        const declared = (Reflect.getMetadata(PERMISSION_KEY, handler) ??
          Reflect.getMetadata(PERMISSION_KEY, controller)) as Permission | undefined;
        permissions.set(`${controller.name}.${name}`, declared);
      }
    }
  }
  return permissions;
}

type Status = 304 | 400 | 401 | 403 | 404 | 412 | 413 | 415 | 422 | 428 | 429 | 500 | 503;

/**
 * What a route can answer besides its success and its own declared errors (409s), derived from its
 * shape: every input can be malformed (400), a body can be too large or not JSON (413, 415), the
 * authentication guard refuses (401, 403), a path names something that may not exist (404),
 * If-Match is checked (412, and 428 where it is required to replace), every caller is rate-limited
 * (429), authentication reads the database (503 when it is overloaded), and a bug is a 500.
 */
export function errorStatusesOf(
  method: string,
  operation: OperationObject,
  permission: Permission,
): Status[] {
  const parameters = (operation.parameters ?? []) as ParameterObject[];
  const ifMatch = parameters.find((parameter) => parameter.in === 'header' && parameter.name === 'If-Match');
  const statuses: Status[] = [];
  if (method === 'get') statuses.push(304);
  if (parameters.length > 0 || operation.requestBody) statuses.push(400);
  if (permission.kind !== 'public') statuses.push(401, 403);
  if (parameters.some((parameter) => parameter.in === 'path')) statuses.push(404);
  if (ifMatch) statuses.push(412);
  if (operation.requestBody) statuses.push(413, 415);
  // A POST's Idempotency-Key already used with another request (platform/idempotency).
  if (method === 'post') statuses.push(422);
  if (ifMatch && (ifMatch.required || method === 'put')) statuses.push(428);
  statuses.push(429, 500);
  if (permission.kind !== 'public') statuses.push(503);
  return statuses;
}

/** The shared error responses (components.responses), by status; 409s are described per route. */
const ERROR_RESPONSES: Record<
  Exclude<Status, 304> | 409,
  { name: string; description: string; body: Omit<ErrorBody, 'requestId'> }
> = {
  400: {
    name: 'BadRequest',
    description:
      'Bad input: every bad field is listed in errors (a body that is not JSON at all: MALFORMED_JSON)',
    body: {
      statusCode: 400,
      error: 'VALIDATION',
      message: 'name: must be a DNS-1123 label',
      errors: [{ field: 'name', message: 'must be a DNS-1123 label' }],
    },
  },
  401: {
    name: 'Unauthorized',
    description: 'Missing, malformed, unknown, revoked or expired token',
    body: {
      statusCode: 401,
      error: 'UNAUTHENTICATED',
      message: 'the API token is unknown, revoked or expired',
    },
  },
  403: {
    name: 'Forbidden',
    description: 'The token may not do this: its role is too low, or it is the wrong kind of token',
    body: {
      statusCode: 403,
      error: 'FORBIDDEN',
      message: 'this needs the editor role; the token has viewer',
    },
  },
  404: {
    name: 'NotFound',
    description: "No such object in the token's tenant (another tenant's id answers the same)",
    body: {
      statusCode: 404,
      error: 'NOT_FOUND',
      message: 'global namespace 00000000-0000-4000-8000-000000000000 not found',
    },
  },
  409: {
    name: 'Conflict',
    description: 'Conflicts with the current state',
    body: {
      statusCode: 409,
      error: 'CONFLICT',
      message: 'a global namespace named "shop" already exists in this tenant',
      errors: [{ field: 'name', message: 'is taken' }],
    },
  },
  412: {
    name: 'PreconditionFailed',
    description:
      'If-Match names a version that is no longer current: GET the object again and redo the change',
    body: {
      statusCode: 412,
      error: 'PRECONDITION_FAILED',
      message:
        'the SLO changed since you read it (you sent version 3, it is now at 4): GET it again and reapply your edit',
    },
  },
  413: {
    name: 'PayloadTooLarge',
    description: 'The body is larger than 1 MB',
    body: { statusCode: 413, error: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' },
  },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The body is not JSON (Content-Type must be application/json)',
    body: {
      statusCode: 415,
      error: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Content-Type must be application/json (got text/plain)',
    },
  },
  422: {
    name: 'IdempotencyKeyReused',
    description:
      'The Idempotency-Key was already used with a different request (method, path or body) in the last 24 hours',
    body: {
      statusCode: 422,
      error: 'UNPROCESSABLE',
      message:
        'this Idempotency-Key was already used with a different request (method, path or body) in the last 24 hours: use a new key for a new request',
    },
  },
  428: {
    name: 'PreconditionRequired',
    description: 'If-Match is required to change an existing object: send the ETag from GET',
    body: {
      statusCode: 428,
      error: 'PRECONDITION_REQUIRED',
      message: 'If-Match header is required: send the ETag of the version you edited',
    },
  },
  429: {
    name: 'TooManyRequests',
    description:
      'Rate limit reached (per token, or per address for bad credentials); Retry-After says when to retry',
    body: { statusCode: 429, error: 'TOO_MANY_REQUESTS', message: 'ThrottlerException: Too Many Requests' },
  },
  500: {
    name: 'InternalError',
    description: 'A bug: the message names only the request id; the log has the rest',
    body: {
      statusCode: 500,
      error: 'INTERNAL',
      message: 'internal error (request id 5f0c2a4e-8d6b-4c1e-9f3a-2b7d1e0c9a11)',
    },
  },
  503: {
    name: 'ServiceUnavailable',
    description: 'The database is overloaded or unreachable for the moment; Retry-After says when to retry',
    body: { statusCode: 503, error: 'UNAVAILABLE', message: 'the database is busy; retry shortly' },
  },
};

const REQUEST_ID_EXAMPLE = '5f0c2a4e-8d6b-4c1e-9f3a-2b7d1e0c9a11';

const SHARED_HEADERS = {
  RequestId: {
    description:
      'the id of this request (a sane incoming X-Request-Id is kept), also in the logs and in requestId',
    schema: { type: 'string' },
    example: REQUEST_ID_EXAMPLE,
  },
  RetryAfter: { description: 'seconds to wait before retrying', schema: { type: 'integer' }, example: 1 },
};
const NOT_MODIFIED = 'NotModified';

/** components.responses: one entry per shared error status, and 304. */
function sharedResponses(): Record<string, ResponseObject> {
  const responses: Record<string, ResponseObject> = {
    [NOT_MODIFIED]: { description: 'Not modified: If-None-Match named the current ETag' },
  };
  for (const [status, { name }] of Object.entries(ERROR_RESPONSES)) {
    if (status !== '409') responses[name] = errorResponse(Number(status) as keyof typeof ERROR_RESPONSES);
  }
  return responses;
}

/** The optional Idempotency-Key header every POST takes (platform/idempotency, docs/gitops.md#conventions). */
const IDEMPOTENCY_KEY: ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: the successful answer to the first request with this key is replayed for 24 hours (Idempotent-Replayed: true); the same key with another request answers 422, one still running 409',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
  example: '3f1c9a52-0d4e-4b8a-9c57-6a2e1f0b8d13',
};

function describeOperation(method: string, operation: OperationObject, permission: Permission): void {
  operation.security = permission.kind === 'public' ? [] : [{ bearer: [] }];
  if (method === 'post') operation.parameters = [...(operation.parameters ?? []), IDEMPOTENCY_KEY];
  operation.summary ||= summaryOf(operation.operationId ?? '');
  const responses = operation.responses as Record<string, ResponseObject | ReferenceObject>;
  for (const status of errorStatusesOf(method, operation, permission)) {
    const name = status === 304 ? NOT_MODIFIED : ERROR_RESPONSES[status].name;
    responses[String(status)] = { $ref: `#/components/responses/${name}` };
  }
  // Error responses the controller declared itself (its 409s, readiness' 503) get the schema too.
  for (const [status, response] of Object.entries(responses)) {
    if (Number(status) >= 400 && !('$ref' in response) && !response.content)
      responses[status] = errorResponse(Number(status) as keyof typeof ERROR_RESPONSES, response.description);
  }
}

function errorResponse(status: keyof typeof ERROR_RESPONSES, declaredDescription?: string): ResponseObject {
  const known = ERROR_RESPONSES[status];
  return {
    description: declaredDescription || known.description,
    headers: {
      'X-Request-Id': { $ref: '#/components/headers/RequestId' },
      ...(status === 429 || status === 503
        ? { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } }
        : {}),
    },
    content: {
      'application/json': {
        schema: { $ref: getSchemaPath(ERROR_SCHEMA) },
        example: { ...known.body, requestId: REQUEST_ID_EXAMPLE },
      },
    },
  };
}
