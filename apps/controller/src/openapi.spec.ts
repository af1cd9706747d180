import type { OpenAPIObject } from '@nestjs/swagger';
import { OPENAPI_FILES, offlineOpenApiDocument, staleOpenApiFiles } from './openapi';
import { operationIdOf, summaryOf } from './platform/http/openapi.util';

type Response = { $ref?: string; content?: Record<string, { schema?: { $ref?: string } }> };
type Operation = {
  operationId: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: unknown;
  responses: Record<string, Response>;
};

function operationsOf(document: OpenAPIObject): (Operation & { method: string; path: string })[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Operation>).map(([method, operation]) => ({
      ...operation,
      method,
      path,
    })),
  );
}

describe('the OpenAPI document', () => {
  let document: OpenAPIObject;
  let operations: ReturnType<typeof operationsOf>;
  const byId = (id: string) => operations.find((operation) => operation.operationId === id)!;

  beforeAll(async () => {
    document = await offlineOpenApiDocument();
    operations = operationsOf(document);
  });

  it('is committed as the code builds it (openapi.json, openapi.yaml, client types)', async () => {
    const stale = await staleOpenApiFiles();
    if (stale.length > 0)
      throw new Error(
        `${stale.join(', ')} ${stale.length === 1 ? 'does' : 'do'} not match the controller's routes: ` +
          'run `npm run openapi` and commit the result',
      );
    expect(Object.values(OPENAPI_FILES)).toHaveLength(3);
  });

  it('is OpenAPI 3.1 with one stable, unique camelCase operationId and a tag per operation', () => {
    expect(document.openapi).toBe('3.1.0');
    const ids = operations.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of operations) {
      expect(operation.operationId).toMatch(/^[a-z]+(?:[A-Z][a-z]*)+$/);
      expect(operation.tags).toHaveLength(1);
      expect(operation.summary).toBeTruthy();
    }
    expect(ids).toEqual(
      expect.arrayContaining([
        'listClusters',
        'getCluster',
        'registerCluster',
        'createGlobalNamespace',
        'replaceGlobalNamespace',
        'listGlobalNamespaceServices',
        'putTrafficPolicy',
        'listSloEvents',
        'testWebhook',
        'createTenant',
        'getLiveness',
      ]),
    );
  });

  it('documents the statuses the routes really answer with', () => {
    const successes = (id: string) =>
      Object.keys(byId(id).responses).filter((status) => status.startsWith('2'));
    expect(successes('putTrafficPolicy')).toEqual(['200', '201']);
    expect(successes('putSecurityPolicy')).toEqual(['200', '201']);
    expect(successes('testWebhook')).toEqual(['202']);
    expect(successes('rotateGlobalNamespaceCa')).toEqual(['202']);
    expect(successes('replaceGlobalNamespace')).toEqual(['200']);
    expect(successes('updateCluster')).toEqual(['200']);
    expect(successes('deleteCluster')).toEqual(['204']);
    expect(successes('createGlobalNamespace')).toEqual(['201']);
    const withoutSuccess = operations.filter((operation) => successes(operation.operationId).length === 0);
    expect(withoutSuccess.map((operation) => operation.operationId)).toEqual([]);
  });

  it('documents every error a route can answer, each with the one error schema', () => {
    const statuses = (id: string) => Object.keys(byId(id).responses);
    // Authenticated, rate-limited, database-backed: every tenant route (the declarative JSON
    // Schemas are public: they describe the format, nothing of a tenant).
    for (const operation of operations.filter(
      (operation) => operation.path.startsWith('/v1/') && !operation.path.startsWith('/v1/schemas'),
    )) {
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403', '429', '503']));
      expect(operation.security).toEqual([{ bearer: [] }]);
    }
    // Public probes: no credentials, no 401/403.
    expect(statuses('getLiveness')).not.toContain('401');
    expect(byId('getLiveness').security).toEqual([]);
    // Readiness answers 503 with its own body (status and checks), for probes and people alike.
    expect(byId('getReadiness').responses['503']?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/ReadinessView',
    });
    // If-Match: required on PUT (428) and checked (412); optional on DELETE (412 only).
    expect(statuses('replaceSlo')).toEqual(expect.arrayContaining(['400', '404', '409', '412', '428']));
    expect(statuses('putTrafficPolicy')).toEqual(expect.arrayContaining(['412', '428']));
    expect(statuses('deleteSlo')).toContain('412');
    expect(statuses('deleteSlo')).not.toContain('428');
    // Bodies: 400, 413, 415; ids in the path: 404; lists: 400 for a bad cursor.
    expect(statuses('createGlobalNamespace')).toEqual(expect.arrayContaining(['400', '409', '413', '415']));
    expect(statuses('createGlobalNamespace')).not.toContain('404');
    expect(statuses('getCluster')).toContain('404');
    expect(statuses('listClusters')).toContain('400');
    expect(statuses('getCurrentTenant')).not.toContain('400');

    const sharedResponses = document.components!.responses as Record<string, Response>;
    for (const operation of operations.filter((operation) => operation.operationId !== 'getReadiness')) {
      for (const [status, declared] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        const response = declared.$ref ? sharedResponses[declared.$ref.split('/').pop()!]! : declared;
        expect({
          operation: operation.operationId,
          status,
          schema: response.content?.['application/json'],
        }).toEqual({
          operation: operation.operationId,
          status,
          schema: expect.objectContaining({
            schema: { $ref: '#/components/schemas/ErrorBodyView' },
            example: expect.objectContaining({ statusCode: Number(status) }) as unknown,
          }) as unknown,
        });
      }
    }
  });
});

describe('operationIdOf', () => {
  it.each([
    ['ClustersController', 'list', 'listClusters'],
    ['ClustersController', 'get', 'getCluster'],
    ['GlobalNamespacesController', 'create', 'createGlobalNamespace'],
    ['PoliciesController', 'replace', 'replacePolicy'],
    ['PoliciesController', 'listTrafficPolicies', 'listTrafficPolicies'],
  ])('%s.%s is %s', (controller, method, expected) =>
    expect(operationIdOf(controller, method)).toBe(expected),
  );
});

describe('summaryOf', () => {
  it('turns an operationId into a sentence', () => {
    expect(summaryOf('listGlobalNamespaceServices')).toBe('List global namespace services');
    expect(summaryOf('rotateGlobalNamespaceCa')).toBe('Rotate global namespace CA');
  });
});
