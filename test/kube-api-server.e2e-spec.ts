/* eslint-disable @typescript-eslint/no-explicit-any -- assertions read arbitrary JSON bodies */
/**
 * The fake kube-apiserver (test/support/kube-api-server) against the Kubernetes API conventions,
 * over real HTTPS with plain Node requests. No build needed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { kubeTarget, start, type KubeApiServer } from './support/kube-api-server';
import { call, endpointFromKubeconfig, watch } from './support/kube-api-server/client';

const MERGE = 'application/merge-patch+json';
const SMP = 'application/strategic-merge-patch+json';
const JSONPATCH = 'application/json-patch+json';
const APPLY = 'application/apply-patch+yaml';

function configMap(
  name: string,
  data: Record<string, string> = {},
  labels?: Record<string, string>,
  namespace = 'default',
): any {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    data,
  };
}

function deployment(name: string, replicas = 2): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1' }] },
      },
    },
  };
}

function virtualService(name: string, host = 'web'): any {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: 'default' },
    spec: { hosts: [host], http: [{ route: [{ destination: { host } }] }] },
  };
}

const rvNumber = (object: any): number => Number(object.metadata.resourceVersion);

describe('fake kube-apiserver', () => {
  let server: KubeApiServer;

  beforeAll(async () => {
    server = await start({ bookmarkIntervalMs: 0 });
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => {
    server.faults.clear();
  });

  describe('discovery', () => {
    it('serves /api, /api/v1 and /version', async () => {
      const api = await call(server, 'GET', '/api');
      expect(api.body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
      const v1 = await call(server, 'GET', '/api/v1');
      expect(v1.body).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
      const names = v1.body.resources.map((r: any) => r.name);
      for (const name of [
        'namespaces',
        'services',
        'endpoints',
        'pods',
        'secrets',
        'configmaps',
        'nodes',
        'services/status',
      ]) {
        expect(names).toContain(name);
      }
      const services = v1.body.resources.find((r: any) => r.name === 'services');
      expect(services).toMatchObject({
        singularName: 'service',
        namespaced: true,
        kind: 'Service',
        shortNames: ['svc'],
      });
      expect(services.verbs).toEqual(
        expect.arrayContaining(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
      );
      expect(v1.body.resources.find((r: any) => r.name === 'nodes').namespaced).toBe(false);
      const version = await call(server, 'GET', '/version');
      expect(version.body).toMatchObject({ major: '1', minor: '31', gitVersion: 'v1.31.0' });
    });

    it('lists groups with their preferred version and serves each group version', async () => {
      const apis = await call(server, 'GET', '/apis');
      expect(apis.body.kind).toBe('APIGroupList');
      const groups = Object.fromEntries(apis.body.groups.map((g: any) => [g.name, g]));
      expect(Object.keys(groups)).toEqual(
        expect.arrayContaining([
          'apps',
          'autoscaling',
          'discovery.k8s.io',
          'networking.istio.io',
          'security.istio.io',
        ]),
      );
      expect(groups['networking.istio.io'].versions.map((v: any) => v.version)).toEqual(['v1', 'v1beta1']);
      expect(groups['networking.istio.io'].preferredVersion).toEqual({
        groupVersion: 'networking.istio.io/v1',
        version: 'v1',
      });
      const apps = await call(server, 'GET', '/apis/apps/v1');
      const scale = apps.body.resources.find((r: any) => r.name === 'deployments/scale');
      expect(scale).toMatchObject({
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
      expect(apps.body.resources.map((r: any) => r.name)).toEqual(
        expect.arrayContaining(['deployments', 'statefulsets', 'statefulsets/scale']),
      );
      const group = await call(server, 'GET', '/apis/security.istio.io');
      expect(group.body).toMatchObject({ kind: 'APIGroup', name: 'security.istio.io' });
      const security = await call(server, 'GET', '/apis/security.istio.io/v1beta1');
      expect(security.body.resources.map((r: any) => r.name)).toEqual(
        expect.arrayContaining(['peerauthentications', 'authorizationpolicies']),
      );
      expect((await call(server, 'GET', '/apis/autoscaling/v2')).body.resources[0].name).toBe(
        'horizontalpodautoscalers',
      );
      expect((await call(server, 'GET', '/apis/discovery.k8s.io/v1')).body.resources[0].name).toBe(
        'endpointslices',
      );
    });

    it('answers unknown groups, versions and resources with a 404 Status', async () => {
      for (const unknown of [
        '/apis/nope.example.com/v1',
        '/apis/apps/v2',
        '/apis/networking.istio.io/v1alpha3',
        '/api/v1/widgets',
        '/apis/apps/v1/namespaces/default/widgets',
        '/nothing',
      ]) {
        const response = await call(server, 'GET', unknown);
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
        });
      }
    });

    it.each([
      [['v1'], 'v1', 'v1beta1'],
      [['v1beta1'], 'v1beta1', 'v1'],
    ] as const)('serves Istio groups at %j only', async (versions, served, unserved) => {
      const istio = await start({ istioVersions: [...versions] });
      try {
        const groups = (await call(istio, 'GET', '/apis')).body.groups;
        const networking = groups.find((g: any) => g.name === 'networking.istio.io');
        expect(networking.versions).toEqual([
          { groupVersion: `networking.istio.io/${served}`, version: served },
        ]);
        expect(networking.preferredVersion.version).toBe(served);
        expect((await call(istio, 'GET', `/apis/networking.istio.io/${served}`)).status).toBe(200);
        expect((await call(istio, 'GET', `/apis/networking.istio.io/${unserved}`)).status).toBe(404);
        expect(
          (
            await call(
              istio,
              'GET',
              `/apis/security.istio.io/${unserved}/namespaces/default/peerauthentications`,
            )
          ).status,
        ).toBe(404);
        const created = await call(
          istio,
          'POST',
          `/apis/networking.istio.io/${served}/namespaces/default/gateways`,
          {
            body: {
              apiVersion: `networking.istio.io/${served}`,
              kind: 'Gateway',
              metadata: { name: 'gw' },
              spec: { servers: [] },
            },
          },
        );
        expect(created.status).toBe(201);
      } finally {
        await istio.close();
      }
    });

    it('serves no Istio group when asked for none', async () => {
      const plain = await start({ istioVersions: [] });
      try {
        const groups = (await call(plain, 'GET', '/apis')).body.groups.map((g: any) => g.name);
        expect(groups).not.toContain('networking.istio.io');
        expect((await call(plain, 'GET', '/apis/networking.istio.io/v1')).status).toBe(404);
      } finally {
        await plain.close();
      }
    });
  });

  describe('authentication', () => {
    it('rejects requests without or with a wrong bearer token with 401', async () => {
      for (const token of [null, 'wrong']) {
        const response = await call(server, 'GET', '/api/v1/namespaces', { token });
        expect(response.status).toBe(401);
        expect(response.body).toEqual({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Unauthorized',
          reason: 'Unauthorized',
          code: 401,
        });
      }
    });

    it('writes a kubeconfig with the CA and a token user', () => {
      const config = parseYaml(fs.readFileSync(server.kubeconfigPath, 'utf8'));
      expect(config.clusters[0].cluster.server).toBe(server.url);
      expect(Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(
        server.caPem,
      );
      expect(config.users[0].user.token).toBe(server.token);
      expect(config['current-context']).toBe(config.contexts[0].name);
      expect(server.kubeconfigYaml).toBe(fs.readFileSync(server.kubeconfigPath, 'utf8'));
    });
  });

  describe('storage and basic verbs', () => {
    it('creates with server-set metadata and refuses duplicates with 409 AlreadyExists', async () => {
      const created = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: configMap('basic', { a: '1' }),
      });
      expect(created.status).toBe(201);
      const meta = created.body.metadata;
      expect(meta.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(meta.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(typeof meta.resourceVersion).toBe('string');
      expect(meta.managedFields[0]).toMatchObject({
        manager: 'kube-api-server-test',
        operation: 'Update',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
      });
      expect(meta.managedFields[0].fieldsV1).toEqual({ 'f:data': { 'f:a': {} } });
      const again = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: configMap('basic'),
      });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        reason: 'AlreadyExists',
        message: 'configmaps "basic" already exists',
        details: { name: 'basic', kind: 'configmaps' },
      });
    });

    it('answers missing objects with 404 NotFound naming the group-qualified resource', async () => {
      const core = await call(server, 'GET', '/api/v1/namespaces/default/services/missing');
      expect(core.body).toMatchObject({
        code: 404,
        reason: 'NotFound',
        message: 'services "missing" not found',
        details: { name: 'missing', kind: 'services' },
      });
      const apps = await call(server, 'GET', '/apis/apps/v1/namespaces/default/deployments/missing');
      expect(apps.body).toMatchObject({
        message: 'deployments.apps "missing" not found',
        details: { group: 'apps', kind: 'deployments' },
      });
    });

    it('requires the namespace to exist and names to be valid', async () => {
      const noNamespace = await call(server, 'POST', '/api/v1/namespaces/nope/configmaps', {
        body: configMap('x', {}, undefined, 'nope'),
      });
      expect(noNamespace.body).toMatchObject({ code: 404, message: 'namespaces "nope" not found' });
      const badName = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: configMap('Bad_Name'),
      });
      expect(badName.status).toBe(422);
      expect(badName.body).toMatchObject({
        reason: 'Invalid',
        details: { causes: [{ field: 'metadata.name', reason: 'FieldValueInvalid' }] },
      });
      expect(badName.body.message).toMatch(/^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value/);
      const generated = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } },
      });
      expect(generated.body.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
      const mismatch = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: configMap('x', {}, undefined, 'kube-system'),
      });
      expect(mismatch.status).toBe(400);
    });

    it('uses one global, increasing resourceVersion and optimistic concurrency on update', async () => {
      const first = (
        await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
          body: configMap('occ', { a: '1' }),
        })
      ).body;
      const other = (
        await call(server, 'POST', '/apis/apps/v1/namespaces/default/deployments', {
          body: deployment('occ-other'),
        })
      ).body;
      expect(rvNumber(other)).toBeGreaterThan(rvNumber(first));
      const updated = await call(server, 'PUT', '/api/v1/namespaces/default/configmaps/occ', {
        body: { ...first, data: { a: '2' } },
      });
      expect(updated.status).toBe(200);
      expect(rvNumber(updated.body)).toBeGreaterThan(rvNumber(other));
      const stale = await call(server, 'PUT', '/api/v1/namespaces/default/configmaps/occ', {
        body: { ...first, data: { a: '3' } },
      });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({
        reason: 'Conflict',
        message:
          'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again',
      });
      // A write that changes nothing is not a write.
      const noop = await call(server, 'PUT', '/api/v1/namespaces/default/configmaps/occ', {
        body: updated.body,
      });
      expect(noop.body.metadata.resourceVersion).toBe(updated.body.metadata.resourceVersion);
      // Built-ins accept unconditional updates; custom resources require a resourceVersion.
      const unconditional = await call(server, 'PUT', '/api/v1/namespaces/default/configmaps/occ', {
        body: configMap('occ', { a: '4' }),
      });
      expect(unconditional.body.data).toEqual({ a: '4' });
      await call(server, 'POST', '/apis/networking.istio.io/v1/namespaces/default/virtualservices', {
        body: virtualService('occ-vs'),
      });
      const crd = await call(
        server,
        'PUT',
        '/apis/networking.istio.io/v1/namespaces/default/virtualservices/occ-vs',
        { body: virtualService('occ-vs', 'other') },
      );
      expect(crd.status).toBe(422);
      expect(crd.body.message).toContain(
        'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
      );
      expect(
        (
          await call(server, 'PUT', '/api/v1/namespaces/default/configmaps/never', {
            body: configMap('never'),
          })
        ).status,
      ).toBe(404);
    });

    it('bumps generation on spec changes only', async () => {
      const created = (
        await call(server, 'POST', '/apis/apps/v1/namespaces/default/deployments', {
          body: deployment('gen'),
        })
      ).body;
      expect(created.metadata.generation).toBe(1);
      const labelled = await call(server, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/gen', {
        raw: JSON.stringify({ metadata: { labels: { extra: 'x' } } }),
        contentType: MERGE,
      });
      expect(labelled.body.metadata.generation).toBe(1);
      const scaled = await call(server, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/gen', {
        raw: JSON.stringify({ spec: { replicas: 5 } }),
        contentType: MERGE,
      });
      expect(scaled.body.metadata.generation).toBe(2);
    });

    it('stores an object once and serves it through every version of its group', async () => {
      const created = await call(
        server,
        'POST',
        '/apis/networking.istio.io/v1beta1/namespaces/default/destinationrules',
        {
          body: {
            apiVersion: 'networking.istio.io/v1beta1',
            kind: 'DestinationRule',
            metadata: { name: 'dr' },
            spec: { host: 'web' },
          },
        },
      );
      expect(created.body.apiVersion).toBe('networking.istio.io/v1beta1');
      const asV1 = await call(
        server,
        'GET',
        '/apis/networking.istio.io/v1/namespaces/default/destinationrules/dr',
      );
      expect(asV1.body).toMatchObject({
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        spec: { host: 'web' },
      });
      expect(asV1.body.metadata.uid).toBe(created.body.metadata.uid);
      const list = await call(
        server,
        'GET',
        '/apis/networking.istio.io/v1beta1/namespaces/default/destinationrules',
      );
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0].apiVersion).toBe('networking.istio.io/v1beta1');
      const wrongVersion = await call(
        server,
        'POST',
        '/apis/networking.istio.io/v1/namespaces/default/destinationrules',
        {
          body: {
            apiVersion: 'networking.istio.io/v1beta1',
            kind: 'DestinationRule',
            metadata: { name: 'dr2' },
          },
        },
      );
      expect(wrongVersion.status).toBe(400);
    });

    it('keeps cluster-scoped resources out of namespaces', async () => {
      const node = await call(server, 'POST', '/api/v1/nodes', {
        body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { zone: 'a' } } },
      });
      expect(node.status).toBe(201);
      expect(node.body.metadata.namespace).toBeUndefined();
      expect((await call(server, 'GET', '/api/v1/nodes/node-1')).status).toBe(200);
      expect((await call(server, 'GET', '/api/v1/namespaces/default/nodes/node-1')).status).toBe(404);
      const namespaces = await call(server, 'GET', '/api/v1/namespaces');
      expect(namespaces.body.items.map((n: any) => n.metadata.name)).toEqual(
        expect.arrayContaining(['default', 'kube-system']),
      );
      expect(namespaces.body.items[0].metadata.labels['kubernetes.io/metadata.name']).toBe(
        namespaces.body.items[0].metadata.name,
      );
    });

    it('deletes: 200 with a Status for built-ins, the object for custom resources, 404 when missing, 409 on failed preconditions', async () => {
      const cm = (
        await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: configMap('doomed') })
      ).body;
      const wrong = await call(server, 'DELETE', '/api/v1/namespaces/default/configmaps/doomed', {
        body: { preconditions: { resourceVersion: '1' } },
      });
      expect(wrong.body).toMatchObject({ code: 409 });
      const deleted = await call(server, 'DELETE', '/api/v1/namespaces/default/configmaps/doomed', {
        body: { preconditions: { uid: cm.metadata.uid } },
      });
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({
        kind: 'Status',
        status: 'Success',
        details: { name: 'doomed', kind: 'configmaps', uid: cm.metadata.uid },
      });
      expect(
        (await call(server, 'DELETE', '/api/v1/namespaces/default/configmaps/doomed')).body,
      ).toMatchObject({ code: 404, reason: 'NotFound' });
      await call(server, 'POST', '/apis/networking.istio.io/v1/namespaces/default/virtualservices', {
        body: virtualService('doomed-vs'),
      });
      const vs = await call(
        server,
        'DELETE',
        '/apis/networking.istio.io/v1/namespaces/default/virtualservices/doomed-vs',
      );
      expect(vs.body).toMatchObject({ kind: 'VirtualService', metadata: { name: 'doomed-vs' } });
    });

    it('honours finalizers: delete marks, removing the last finalizer deletes', async () => {
      const created = (
        await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
          body: { ...configMap('final'), metadata: { name: 'final', finalizers: ['example.com/hold'] } },
        })
      ).body;
      const marked = await call(server, 'DELETE', '/api/v1/namespaces/default/configmaps/final');
      expect(marked.status).toBe(200);
      expect(marked.body.metadata.deletionTimestamp).toBeDefined();
      expect((await call(server, 'GET', '/api/v1/namespaces/default/configmaps/final')).status).toBe(200);
      const released = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/final', {
        raw: JSON.stringify({ metadata: { finalizers: null } }),
        contentType: MERGE,
      });
      expect(released.status).toBe(200);
      expect((await call(server, 'GET', '/api/v1/namespaces/default/configmaps/final')).status).toBe(404);
      expect(created.metadata.finalizers).toEqual(['example.com/hold']);
    });

    it('deletes a namespace with its contents, and deletes collections by selector', async () => {
      await call(server, 'POST', '/api/v1/namespaces', {
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'temp' } },
      });
      await call(server, 'POST', '/api/v1/namespaces/temp/configmaps', {
        body: configMap('one', {}, { drop: 'yes' }, 'temp'),
      });
      await call(server, 'POST', '/api/v1/namespaces/temp/configmaps', {
        body: configMap('two', {}, { drop: 'no' }, 'temp'),
      });
      await call(server, 'POST', '/api/v1/namespaces/temp/configmaps', {
        body: configMap('three', {}, undefined, 'temp'),
      });
      const collection = await call(
        server,
        'DELETE',
        '/api/v1/namespaces/temp/configmaps?labelSelector=drop%3Dyes',
      );
      expect(collection.status).toBe(200);
      expect(
        (await call(server, 'GET', '/api/v1/namespaces/temp/configmaps')).body.items.map(
          (i: any) => i.metadata.name,
        ),
      ).toEqual(['three', 'two']);
      const ns = await call(server, 'DELETE', '/api/v1/namespaces/temp');
      expect(ns.body).toMatchObject({ kind: 'Namespace', status: { phase: 'Terminating' } });
      expect((await call(server, 'GET', '/api/v1/namespaces/temp/configmaps')).body.items).toEqual([]);
      expect((await call(server, 'GET', '/api/v1/namespaces/temp')).status).toBe(404);
    });
  });

  it('honours dryRun=All without storing anything', async () => {
    const rv = server.store.resourceVersion();
    const created = await call(server, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', {
      body: configMap('dry'),
    });
    expect(created.status).toBe(201);
    expect(created.body.metadata.uid).toBeDefined();
    expect((await call(server, 'GET', '/api/v1/namespaces/default/configmaps/dry')).status).toBe(404);
    expect(server.store.resourceVersion()).toBe(rv);
    expect(
      (
        await call(server, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=Some', {
          body: configMap('dry'),
        })
      ).status,
    ).toBe(400);
  });

  describe('patch', () => {
    it('applies JSON merge patches (null removes a key)', async () => {
      await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: configMap('mp', { a: '1', b: '2' }),
      });
      const patched = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/mp', {
        raw: JSON.stringify({ data: { a: null, c: '3' } }),
        contentType: MERGE,
      });
      expect(patched.body.data).toEqual({ b: '2', c: '3' });
      const stale = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/mp', {
        raw: JSON.stringify({ metadata: { resourceVersion: '1' }, data: { d: '4' } }),
        contentType: MERGE,
      });
      expect(stale.status).toBe(409);
      expect(
        (
          await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/absent', {
            raw: '{}',
            contentType: MERGE,
          })
        ).status,
      ).toBe(404);
    });

    it('applies strategic merge patches by merge key on built-ins, and refuses them on custom resources', async () => {
      await call(server, 'POST', '/apis/apps/v1/namespaces/default/deployments', { body: deployment('smp') });
      const patched = await call(server, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/smp', {
        raw: JSON.stringify({
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'sidecar', image: 'proxy:1' },
                  { name: 'app', image: 'nginx:2' },
                ],
              },
            },
          },
        }),
        contentType: SMP,
      });
      expect(patched.body.spec.template.spec.containers).toEqual([
        { name: 'app', image: 'nginx:2' },
        { name: 'sidecar', image: 'proxy:1' },
      ]);
      const removed = await call(server, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/smp', {
        raw: JSON.stringify({
          spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
        }),
        contentType: SMP,
      });
      expect(removed.body.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['app']);
      await call(server, 'POST', '/apis/networking.istio.io/v1/namespaces/default/virtualservices', {
        body: virtualService('smp-vs'),
      });
      const crd = await call(
        server,
        'PATCH',
        '/apis/networking.istio.io/v1/namespaces/default/virtualservices/smp-vs',
        { raw: '{}', contentType: SMP },
      );
      expect(crd.status).toBe(415);
      expect(crd.body.reason).toBe('UnsupportedMediaType');
    });

    it('applies JSON patches and rejects failing ones with 422', async () => {
      await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: configMap('jp', { a: '1' }),
      });
      const patched = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/jp', {
        raw: JSON.stringify([
          { op: 'test', path: '/data/a', value: '1' },
          { op: 'add', path: '/data/b', value: '2' },
          { op: 'replace', path: '/data/a', value: '9' },
          { op: 'copy', from: '/data/b', path: '/data/c' },
          { op: 'remove', path: '/data/b' },
        ]),
        contentType: JSONPATCH,
      });
      expect(patched.body.data).toEqual({ a: '9', c: '2' });
      const failing = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/jp', {
        raw: JSON.stringify([{ op: 'test', path: '/data/a', value: 'x' }]),
        contentType: JSONPATCH,
      });
      expect(failing.status).toBe(422);
      const unknown = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/jp', {
        raw: '{}',
        contentType: 'text/plain',
      });
      expect(unknown.status).toBe(415);
      const force = await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/jp?force=true', {
        raw: '{}',
        contentType: MERGE,
      });
      expect(force.status).toBe(422);
      expect(force.body.message).toContain('force: Forbidden: may not be specified for non-apply patch');
    });
  });

  describe('server-side apply', () => {
    const applyPath = (name: string, query: string): string =>
      `/api/v1/namespaces/default/configmaps/${name}?${query}`;
    const applyYaml = (name: string, data: Record<string, string>, labels?: Record<string, string>): string =>
      JSON.stringify(configMap(name, data, labels));

    it('creates with 201 and records the manager as an Apply entry', async () => {
      const created = await call(server, 'PATCH', applyPath('ssa-create', 'fieldManager=alpha'), {
        raw: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-create\n  labels:\n    app: x\ndata:\n  key: value\n',
        contentType: APPLY,
      });
      expect(created.status).toBe(201);
      expect(created.body.metadata.managedFields).toEqual([
        expect.objectContaining({
          manager: 'alpha',
          operation: 'Apply',
          apiVersion: 'v1',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': { 'f:key': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } },
        }),
      ]);
      const again = await call(server, 'PATCH', applyPath('ssa-create', 'fieldManager=alpha'), {
        raw: applyYaml('ssa-create', { key: 'value' }, { app: 'x' }),
        contentType: APPLY,
      });
      expect(again.status).toBe(200);
      expect(again.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
    });

    it('requires a fieldManager and a matching name and kind', async () => {
      const noManager = await call(server, 'PATCH', applyPath('ssa-bad', ''), {
        raw: applyYaml('ssa-bad', {}),
        contentType: APPLY,
      });
      expect(noManager.status).toBe(422);
      expect(noManager.body.message).toContain('fieldManager: Required value: is required for apply patch');
      const wrongName = await call(server, 'PATCH', applyPath('ssa-bad', 'fieldManager=a'), {
        raw: applyYaml('other', {}),
        contentType: APPLY,
      });
      expect(wrongName.status).toBe(400);
      const noKind = await call(server, 'PATCH', applyPath('ssa-bad', 'fieldManager=a'), {
        raw: 'metadata:\n  name: ssa-bad\n',
        contentType: APPLY,
      });
      expect(noKind.status).toBe(400);
    });

    it('reports conflicts with the owning managers and fields, and force takes ownership', async () => {
      await call(server, 'PATCH', applyPath('ssa-conflict', 'fieldManager=alpha'), {
        raw: applyYaml('ssa-conflict', { a: '1', b: '1' }),
        contentType: APPLY,
      });
      await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/ssa-conflict?fieldManager=editor', {
        raw: JSON.stringify({ data: { c: '1' } }),
        contentType: MERGE,
      });
      const conflict = await call(server, 'PATCH', applyPath('ssa-conflict', 'fieldManager=beta'), {
        raw: applyYaml('ssa-conflict', { a: '2', c: '2' }),
        contentType: APPLY,
      });
      expect(conflict.status).toBe(409);
      expect(conflict.body.reason).toBe('Conflict');
      expect(conflict.body.message).toMatch(/^Apply failed with 2 conflicts: /);
      expect(conflict.body.details.causes).toEqual(
        expect.arrayContaining([
          { type: 'FieldManagerConflict', message: 'conflict with "alpha"', field: '.data.a' },
          { type: 'FieldManagerConflict', message: 'conflict with "editor" using v1', field: '.data.c' },
        ]),
      );
      // Same value: shared ownership, no conflict.
      const shared = await call(server, 'PATCH', applyPath('ssa-conflict', 'fieldManager=beta'), {
        raw: applyYaml('ssa-conflict', { b: '1' }),
        contentType: APPLY,
      });
      expect(shared.status).toBe(200);
      const owners = (field: string, body: any): string[] =>
        body.metadata.managedFields
          .filter((e: any) => e.fieldsV1['f:data']?.[`f:${field}`])
          .map((e: any) => e.manager)
          .sort();
      expect(owners('b', shared.body)).toEqual(['alpha', 'beta']);
      const forced = await call(server, 'PATCH', applyPath('ssa-conflict', 'fieldManager=beta&force=true'), {
        raw: applyYaml('ssa-conflict', { a: '2', b: '1', c: '2' }),
        contentType: APPLY,
      });
      expect(forced.status).toBe(200);
      expect(forced.body.data).toEqual({ a: '2', b: '1', c: '2' });
      expect(owners('a', forced.body)).toEqual(['beta']);
      expect(owners('c', forced.body)).toEqual(['beta']);
      expect(owners('b', forced.body)).toEqual(['alpha', 'beta']);
      expect(server.requests({ verb: 'patch', name: 'ssa-conflict' }).at(-1)).toMatchObject({
        fieldManager: 'beta',
        force: true,
        contentType: APPLY,
      });
    });

    it('removes fields a manager stops applying unless another manager owns them', async () => {
      await call(server, 'PATCH', applyPath('ssa-remove', 'fieldManager=alpha'), {
        raw: applyYaml('ssa-remove', { keep: '1', drop: '1', shared: '1' }),
        contentType: APPLY,
      });
      await call(server, 'PATCH', applyPath('ssa-remove', 'fieldManager=beta'), {
        raw: applyYaml('ssa-remove', { shared: '1' }),
        contentType: APPLY,
      });
      const next = await call(server, 'PATCH', applyPath('ssa-remove', 'fieldManager=alpha'), {
        raw: applyYaml('ssa-remove', { keep: '1' }),
        contentType: APPLY,
      });
      expect(next.body.data).toEqual({ keep: '1', shared: '1' });
    });

    it('merges the associative lists of built-in types by key (ports, containers)', async () => {
      const svc = (ports: unknown[]): string =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'ssa-ports', namespace: 'default' },
          spec: { ports },
        });
      const base = '/api/v1/namespaces/default/services/ssa-ports?fieldManager=';
      await call(server, 'PATCH', `${base}alpha`, {
        raw: svc([{ name: 'http', port: 80 }]),
        contentType: APPLY,
      });
      const both = await call(server, 'PATCH', `${base}beta`, {
        raw: svc([{ name: 'grpc', port: 9090 }]),
        contentType: APPLY,
      });
      expect(both.body.spec.ports.map((p: any) => p.port)).toEqual([80, 9090]);
      const beta = both.body.metadata.managedFields.find((e: any) => e.manager === 'beta');
      expect(beta.fieldsV1).toEqual({
        'f:spec': { 'f:ports': { 'k:{"port":9090,"protocol":"TCP"}': { 'f:name': {}, 'f:port': {} } } },
      });
      const conflict = await call(server, 'PATCH', `${base}beta`, {
        raw: svc([
          { name: 'web', port: 80 },
          { name: 'grpc', port: 9090 },
        ]),
        contentType: APPLY,
      });
      expect(conflict.status).toBe(409);
      expect(conflict.body.details.causes).toEqual([
        {
          type: 'FieldManagerConflict',
          message: 'conflict with "alpha"',
          field: '.spec.ports[port=80,protocol="TCP"].name',
        },
      ]);
      const dropped = await call(server, 'PATCH', `${base}alpha`, { raw: svc([]), contentType: APPLY });
      expect(dropped.body.spec.ports.map((p: any) => p.port)).toEqual([9090]);

      await call(
        server,
        'PATCH',
        '/apis/apps/v1/namespaces/default/deployments/ssa-containers?fieldManager=app',
        {
          raw: JSON.stringify(deployment('ssa-containers')),
          contentType: APPLY,
        },
      );
      const sidecar = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'ssa-containers', namespace: 'default' },
        spec: { template: { spec: { containers: [{ name: 'proxy', image: 'proxy:1' }] } } },
      };
      const injected = await call(
        server,
        'PATCH',
        '/apis/apps/v1/namespaces/default/deployments/ssa-containers?fieldManager=injector',
        {
          raw: JSON.stringify(sidecar),
          contentType: APPLY,
        },
      );
      expect(injected.body.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['app', 'proxy']);
    });

    it('gives an updater the fields it changed; the applier then conflicts on them', async () => {
      await call(
        server,
        'PATCH',
        '/apis/apps/v1/namespaces/default/deployments/ssa-deploy?fieldManager=agent',
        { raw: JSON.stringify(deployment('ssa-deploy', 2)), contentType: APPLY },
      );
      const current = (await call(server, 'GET', '/apis/apps/v1/namespaces/default/deployments/ssa-deploy'))
        .body;
      const put = await call(
        server,
        'PUT',
        '/apis/apps/v1/namespaces/default/deployments/ssa-deploy?fieldManager=kubectl-edit',
        { body: { ...current, spec: { ...current.spec, replicas: 7 } } },
      );
      expect(put.status).toBe(200);
      const conflict = await call(
        server,
        'PATCH',
        '/apis/apps/v1/namespaces/default/deployments/ssa-deploy?fieldManager=agent',
        { raw: JSON.stringify(deployment('ssa-deploy', 2)), contentType: APPLY },
      );
      expect(conflict.status).toBe(409);
      expect(conflict.body.message).toBe(
        'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
      );
      expect(conflict.body.details.causes).toEqual([
        {
          type: 'FieldManagerConflict',
          message: 'conflict with "kubectl-edit" using apps/v1',
          field: '.spec.replicas',
        },
      ]);
      const lists = await call(
        server,
        'PATCH',
        '/apis/networking.istio.io/v1/namespaces/default/virtualservices/ssa-vs?fieldManager=agent',
        { raw: JSON.stringify(virtualService('ssa-vs', 'a')), contentType: APPLY },
      );
      expect(lists.body.metadata.managedFields[0].fieldsV1).toEqual({
        'f:spec': { 'f:hosts': {}, 'f:http': {} },
      });
    });
  });

  describe('defaulting', () => {
    it('defaults on every write, so re-applies and updates keep defaulted fields and the clusterIP', async () => {
      const service = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'defaults', namespace: 'default' },
        spec: { selector: { app: 'x' }, ports: [{ name: 'http', port: 80 }] },
      };
      const path = '/api/v1/namespaces/default/services/defaults?fieldManager=lattice-agent&force=true';
      const created = await call(server, 'PATCH', path, { raw: JSON.stringify(service), contentType: APPLY });
      expect(created.body.spec).toMatchObject({
        type: 'ClusterIP',
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }],
      });
      const clusterIP = created.body.spec.clusterIP;
      expect(clusterIP).toMatch(/^10\.96\./);
      const reapplied = await call(server, 'PATCH', path, {
        raw: JSON.stringify({ ...service, spec: { ...service.spec, ports: [{ name: 'http', port: 81 }] } }),
        contentType: APPLY,
      });
      expect(reapplied.body.spec.ports).toEqual([
        { name: 'http', port: 81, protocol: 'TCP', targetPort: 81 },
      ]);
      expect(reapplied.body.spec.clusterIP).toBe(clusterIP);
      const put = await call(server, 'PUT', '/api/v1/namespaces/default/services/defaults', {
        body: service,
      });
      expect(put.body.spec.clusterIP).toBe(clusterIP);
      expect(put.body.status).toEqual({ loadBalancer: {} });
    });
  });

  describe('subresources', () => {
    it('serves the scale subresource of deployments and statefulsets (GET, PUT, PATCH)', async () => {
      await call(server, 'POST', '/apis/apps/v1/namespaces/default/deployments', {
        body: deployment('scaled', 3),
      });
      const scale = await call(server, 'GET', '/apis/apps/v1/namespaces/default/deployments/scaled/scale');
      expect(scale.body).toMatchObject({
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: { name: 'scaled', namespace: 'default' },
        spec: { replicas: 3 },
        status: { replicas: 0, selector: 'app=scaled' },
      });
      const put = await call(
        server,
        'PUT',
        '/apis/apps/v1/namespaces/default/deployments/scaled/scale?fieldManager=hpa',
        { body: { ...scale.body, spec: { replicas: 5 } } },
      );
      expect(put.body.spec.replicas).toBe(5);
      const stale = await call(server, 'PUT', '/apis/apps/v1/namespaces/default/deployments/scaled/scale', {
        body: { ...scale.body, spec: { replicas: 6 } },
      });
      expect(stale.status).toBe(409);
      const patched = await call(
        server,
        'PATCH',
        '/apis/apps/v1/namespaces/default/deployments/scaled/scale',
        { raw: JSON.stringify({ spec: { replicas: 1 } }), contentType: MERGE },
      );
      expect(patched.body.spec.replicas).toBe(1);
      const object = (await call(server, 'GET', '/apis/apps/v1/namespaces/default/deployments/scaled')).body;
      expect(object.spec.replicas).toBe(1);
      expect(object.metadata.generation).toBe(3);
      expect(object.metadata.managedFields.find((e: any) => e.manager === 'hpa')).toBeUndefined();
      expect(object.metadata.managedFields.find((e: any) => e.subresource === 'scale')).toMatchObject({
        operation: 'Update',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      });
      await call(server, 'POST', '/apis/apps/v1/namespaces/default/statefulsets', {
        body: { ...deployment('sts', 2), kind: 'StatefulSet' },
      });
      expect(
        (await call(server, 'GET', '/apis/apps/v1/namespaces/default/statefulsets/sts/scale')).body.spec
          .replicas,
      ).toBe(2);
      expect((await call(server, 'GET', '/api/v1/namespaces/default/configmaps/occ/scale')).status).toBe(404);
    });

    it('separates status from spec when a status subresource exists', async () => {
      await call(server, 'POST', '/apis/apps/v1/namespaces/default/deployments', {
        body: { ...deployment('stat'), status: { replicas: 9 } },
      });
      const created = (await call(server, 'GET', '/apis/apps/v1/namespaces/default/deployments/stat')).body;
      expect(created.status).toBeUndefined();
      const status = await call(server, 'PUT', '/apis/apps/v1/namespaces/default/deployments/stat/status', {
        body: {
          ...created,
          spec: { ...created.spec, replicas: 99 },
          status: { replicas: 2, readyReplicas: 2 },
        },
      });
      expect(status.body.status).toEqual({ replicas: 2, readyReplicas: 2 });
      expect(status.body.spec.replicas).toBe(2);
      const main = await call(server, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/stat', {
        raw: JSON.stringify({ status: { replicas: 0 } }),
        contentType: MERGE,
      });
      expect(main.body.status).toEqual({ replicas: 2, readyReplicas: 2 });
      expect(
        (await call(server, 'GET', '/apis/apps/v1/namespaces/default/deployments/stat/scale')).body.status
          .replicas,
      ).toBe(2);
    });
  });

  describe('list', () => {
    beforeAll(async () => {
      await call(server, 'POST', '/api/v1/namespaces', {
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sel' } },
      });
      const labels: Array<[string, Record<string, string>]> = [
        ['a', { app: 'web', tier: 'front' }],
        ['b', { app: 'web', tier: 'back' }],
        ['c', { app: 'db' }],
        ['d', {}],
      ];
      for (const [name, label] of labels)
        await call(server, 'POST', '/api/v1/namespaces/sel/configmaps', {
          body: configMap(name, {}, label, 'sel'),
        });
    });
    const names = async (query: string): Promise<string[]> => {
      const response = await call(server, 'GET', `/api/v1/namespaces/sel/configmaps?${query}`);
      if (response.status !== 200) throw new Error(response.text);
      return response.body.items.map((i: any) => i.metadata.name);
    };

    it.each([
      ['app=web', ['a', 'b']],
      ['app==web', ['a', 'b']],
      ['app!=web', ['c', 'd']],
      ['app in (web,db)', ['a', 'b', 'c']],
      ['tier notin (front)', ['b', 'c', 'd']],
      ['tier', ['a', 'b']],
      ['!tier', ['c', 'd']],
      ['app=web,tier=back', ['b']],
      ['app in (web), !tier', []],
    ])('filters by label selector %s', async (selector, expected) => {
      expect(await names(`labelSelector=${encodeURIComponent(selector)}`)).toEqual(expected);
    });

    it('rejects malformed selectors and unsupported field selectors with 400', async () => {
      expect(
        (
          await call(
            server,
            'GET',
            `/api/v1/namespaces/sel/configmaps?labelSelector=${encodeURIComponent('app in web')}`,
          )
        ).status,
      ).toBe(400);
      const field = await call(server, 'GET', '/api/v1/namespaces/sel/configmaps?fieldSelector=spec.foo%3Dx');
      expect(field.body).toMatchObject({
        code: 400,
        reason: 'BadRequest',
        message: 'field label not supported: spec.foo',
      });
    });

    it('filters by field selector on metadata.name and metadata.namespace', async () => {
      expect(await names('fieldSelector=metadata.name%3Dc')).toEqual(['c']);
      expect(await names('fieldSelector=metadata.name!%3Dc')).toEqual(['a', 'b', 'd']);
      const all = await call(server, 'GET', '/api/v1/configmaps?fieldSelector=metadata.namespace%3Dsel');
      expect(all.body.items.map((i: any) => i.metadata.name)).toEqual(['a', 'b', 'c', 'd']);
      expect(all.body.items[0].kind).toBeUndefined();
    });

    it('lists across namespaces and reports the list resourceVersion', async () => {
      const all = await call(server, 'GET', '/api/v1/configmaps');
      expect(all.body).toMatchObject({
        apiVersion: 'v1',
        kind: 'ConfigMapList',
        metadata: { resourceVersion: server.store.resourceVersion() },
      });
      expect(new Set(all.body.items.map((i: any) => i.metadata.namespace))).toEqual(
        new Set(['default', 'sel']),
      );
    });

    it('pages with limit/continue over a consistent snapshot', async () => {
      const first = await call(server, 'GET', '/api/v1/namespaces/sel/configmaps?limit=2');
      expect(first.body.items.map((i: any) => i.metadata.name)).toEqual(['a', 'b']);
      expect(first.body.metadata.remainingItemCount).toBe(2);
      const token = first.body.metadata.continue;
      expect(token).toEqual(expect.any(String));
      await call(server, 'DELETE', '/api/v1/namespaces/sel/configmaps/c');
      await call(server, 'POST', '/api/v1/namespaces/sel/configmaps', {
        body: configMap('e', {}, undefined, 'sel'),
      });
      const second = await call(
        server,
        'GET',
        `/api/v1/namespaces/sel/configmaps?limit=2&continue=${encodeURIComponent(token)}`,
      );
      expect(second.body.items.map((i: any) => i.metadata.name)).toEqual(['c', 'd']);
      expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
      expect(second.body.metadata.continue).toBeUndefined();
      expect(await names('')).toEqual(['a', 'b', 'd', 'e']);
      expect((await call(server, 'GET', '/api/v1/namespaces/sel/configmaps?continue=garbage')).status).toBe(
        400,
      );
    });

    it('lists at an exact resourceVersion, refuses future ones, and 410s compacted ones', async () => {
      const before = server.store.resourceVersion();
      await call(server, 'POST', '/api/v1/namespaces/sel/configmaps', {
        body: configMap('f', {}, undefined, 'sel'),
      });
      expect(await names(`resourceVersion=${before}&resourceVersionMatch=Exact`)).not.toContain('f');
      expect(await names(`resourceVersion=${before}&resourceVersionMatch=NotOlderThan`)).toContain('f');
      const future = await call(
        server,
        'GET',
        `/api/v1/namespaces/sel/configmaps?resourceVersion=${Number(before) + 1000}`,
      );
      expect(future.body).toMatchObject({
        code: 504,
        reason: 'Timeout',
        details: { causes: [{ type: 'ResourceVersionTooLarge' }] },
      });
      const noRv = await call(server, 'GET', '/api/v1/namespaces/sel/configmaps?resourceVersionMatch=Exact');
      expect(noRv.status).toBe(422);
      const page = await call(server, 'GET', '/api/v1/namespaces/sel/configmaps?limit=1');
      await call(server, 'POST', '/api/v1/namespaces/sel/configmaps', {
        body: configMap('g', {}, undefined, 'sel'),
      });
      server.store.compact();
      const exact = await call(
        server,
        'GET',
        `/api/v1/namespaces/sel/configmaps?resourceVersion=${before}&resourceVersionMatch=Exact`,
      );
      expect(exact.body).toMatchObject({ code: 410, reason: 'Expired' });
      const expired = await call(
        server,
        'GET',
        `/api/v1/namespaces/sel/configmaps?limit=1&continue=${encodeURIComponent(page.body.metadata.continue)}`,
      );
      expect(expired.body).toMatchObject({ code: 410, reason: 'Expired' });
      expect(expired.body.message).toMatch(/^The provided continue parameter is too old/);
    });
  });

  describe('watch', () => {
    it('starts with synthetic ADDED events, then streams ADDED/MODIFIED/DELETED as NDJSON', async () => {
      await call(server, 'POST', '/api/v1/namespaces', {
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w1' } },
      });
      await call(server, 'POST', '/api/v1/namespaces/w1/services', {
        body: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'pre' },
          spec: { ports: [{ port: 80 }] },
        },
      });
      const stream = await watch(server, '/api/v1/namespaces/w1/services?watch=true');
      expect(stream.status).toBe(200);
      await stream.waitFor(1);
      await call(server, 'POST', '/api/v1/namespaces/w1/services', {
        body: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'live' },
          spec: { ports: [{ port: 81 }] },
        },
      });
      await call(server, 'PATCH', '/api/v1/namespaces/w1/services/live', {
        raw: JSON.stringify({ metadata: { labels: { a: 'b' } } }),
        contentType: MERGE,
      });
      await call(server, 'DELETE', '/api/v1/namespaces/w1/services/live');
      await call(server, 'POST', '/api/v1/namespaces/default/services', {
        body: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'elsewhere' },
          spec: { ports: [{ port: 80 }] },
        },
      });
      const events = await stream.waitFor(4);
      stream.close();
      expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
        ['ADDED', 'pre'],
        ['ADDED', 'live'],
        ['MODIFIED', 'live'],
        ['DELETED', 'live'],
      ]);
      expect(events[1]!.object).toMatchObject({ apiVersion: 'v1', kind: 'Service' });
      const rvs = events.slice(1).map((e) => Number(e.object.metadata.resourceVersion));
      expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    });

    it('accepts the deprecated /watch/ path prefix and watching one object by name', async () => {
      const rv = server.store.resourceVersion();
      const byPrefix = await watch(
        server,
        `/api/v1/watch/namespaces/default/configmaps?resourceVersion=${rv}`,
      );
      const byName = await watch(
        server,
        `/api/v1/namespaces/default/configmaps/named-w?watch=1&resourceVersion=${rv}`,
      );
      await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: configMap('other-w') });
      await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: configMap('named-w') });
      await byPrefix.waitFor(2);
      await byName.waitFor(1);
      byPrefix.close();
      byName.close();
      expect(byName.events.map((e) => e.object.metadata.name)).toEqual(['named-w']);
    });

    it('replays changes after a given resourceVersion, and sends ERROR 410 for compacted ones', async () => {
      const start = server.store.resourceVersion();
      await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: configMap('replay-1') });
      await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: configMap('replay-2') });
      const stream = await watch(
        server,
        `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${start}`,
      );
      const events = await stream.waitFor(2);
      stream.close();
      expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
        ['ADDED', 'replay-1'],
        ['ADDED', 'replay-2'],
      ]);
      server.store.compact();
      const old = await watch(
        server,
        `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${start}`,
      );
      expect(old.status).toBe(200);
      await old.ended;
      expect(old.events).toHaveLength(1);
      expect(old.events[0]).toMatchObject({
        type: 'ERROR',
        object: { kind: 'Status', code: 410, reason: 'Expired' },
      });
      expect(old.events[0]!.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    });

    it('filters by label selector: objects leaving the selection are DELETED, entering it ADDED', async () => {
      await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: configMap('sel-w', {}, { track: 'yes' }),
      });
      const rv = server.store.resourceVersion();
      const stream = await watch(
        server,
        `/api/v1/namespaces/default/configmaps?watch=1&labelSelector=track%3Dyes&resourceVersion=${rv}`,
      );
      await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/sel-w', {
        raw: JSON.stringify({ data: { x: '1' } }),
        contentType: MERGE,
      });
      await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/sel-w', {
        raw: JSON.stringify({ metadata: { labels: { track: 'no' } } }),
        contentType: MERGE,
      });
      await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/sel-w', {
        raw: JSON.stringify({ data: { x: '2' } }),
        contentType: MERGE,
      });
      await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/sel-w', {
        raw: JSON.stringify({ metadata: { labels: { track: 'yes' } } }),
        contentType: MERGE,
      });
      const events = await stream.waitFor(3);
      stream.close();
      expect(events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED', 'ADDED']);
      expect(events[1]!.object.metadata.labels.track).toBe('yes');
      expect(Number(events[1]!.object.metadata.resourceVersion)).toBeGreaterThan(
        Number(events[0]!.object.metadata.resourceVersion),
      );
    });

    it('sends BOOKMARK events when allowed, and closes at timeoutSeconds', async () => {
      const ticking = await start({ bookmarkIntervalMs: 100 });
      try {
        const stream = await watch(
          ticking,
          `/api/v1/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=${ticking.store.resourceVersion()}&timeoutSeconds=1`,
        );
        await stream.waitFor(1);
        expect(stream.events[0]).toEqual({
          type: 'BOOKMARK',
          object: {
            kind: 'ConfigMap',
            apiVersion: 'v1',
            metadata: { resourceVersion: ticking.store.resourceVersion() },
          },
        });
        const startedAt = Date.now();
        await stream.ended;
        expect(Date.now() - startedAt).toBeLessThan(1500);
        const silent = await watch(
          ticking,
          `/api/v1/configmaps?watch=1&resourceVersion=${ticking.store.resourceVersion()}&timeoutSeconds=1`,
        );
        await silent.ended;
        expect(silent.events).toEqual([]);
      } finally {
        await ticking.close();
      }
    });

    it('supports sendInitialEvents with the initial-events-end bookmark', async () => {
      await call(server, 'POST', '/api/v1/namespaces', {
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'stream' } },
      });
      await call(server, 'POST', '/api/v1/namespaces/stream/configmaps', {
        body: configMap('s1', {}, undefined, 'stream'),
      });
      const stream = await watch(
        server,
        '/api/v1/namespaces/stream/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true',
      );
      const events = await stream.waitFor(2);
      stream.close();
      expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 's1' } } });
      expect(events[1]).toMatchObject({
        type: 'BOOKMARK',
        object: { metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } },
      });
      const invalid = await call(
        server,
        'GET',
        '/api/v1/namespaces/stream/configmaps?watch=1&sendInitialEvents=true',
      );
      expect(invalid.status).toBe(422);
    });

    it('closeWatches ends open watches cleanly; they resume from their last resourceVersion', async () => {
      const rv = server.store.resourceVersion();
      const stream = await watch(
        server,
        `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`,
      );
      await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: configMap('closing-1') });
      await stream.waitFor(1);
      server.faults.closeWatches();
      await stream.ended;
      expect(stream.events.map((e) => e.type)).toEqual(['ADDED']);
      await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: configMap('closing-2') });
      const resumed = await watch(
        server,
        `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${stream.events[0]!.object.metadata.resourceVersion}`,
      );
      await resumed.waitFor(1);
      resumed.close();
      expect(resumed.events[0]!.object.metadata.name).toBe('closing-2');
    });

    it('stallWatches silences open watches without closing them; new watches see the missed events', async () => {
      const rv = server.store.resourceVersion();
      const stalled = await watch(
        server,
        `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`,
      );
      server.faults.stallWatches();
      await call(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: configMap('stalled-1') });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(stalled.events).toEqual([]);
      const fresh = await watch(
        server,
        `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`,
      );
      await fresh.waitFor(1);
      fresh.close();
      stalled.close();
      expect(fresh.events[0]!.object.metadata.name).toBe('stalled-1');
    });

    it('expireWatches ends open watches with 410 and makes older resourceVersions expire', async () => {
      const rv = server.store.resourceVersion();
      const stream = await watch(server, `/api/v1/services?watch=1&resourceVersion=${rv}`);
      expect(server.openWatches()).toBeGreaterThan(0);
      await call(server, 'POST', '/api/v1/namespaces/default/services', {
        body: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'before-expiry' },
          spec: { ports: [{ port: 80 }] },
        },
      });
      await stream.waitFor(1);
      server.faults.expireWatches();
      await stream.ended;
      expect(stream.events.at(-1)).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
      const again = await watch(server, `/api/v1/services?watch=1&resourceVersion=${rv}`);
      await again.ended;
      expect(again.events[0]).toMatchObject({ type: 'ERROR', object: { code: 410 } });
      const fresh = await call(server, 'GET', '/api/v1/services');
      const resumed = await watch(
        server,
        `/api/v1/services?watch=1&resourceVersion=${fresh.body.metadata.resourceVersion}`,
      );
      await call(server, 'POST', '/api/v1/namespaces/default/services', {
        body: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'after-expiry' },
          spec: { ports: [{ port: 80 }] },
        },
      });
      await resumed.waitFor(1);
      resumed.close();
      expect(resumed.events[0]).toMatchObject({
        type: 'ADDED',
        object: { metadata: { name: 'after-expiry' } },
      });
    });
  });

  describe('faults', () => {
    it('forbids with the RBAC message shape at cluster and namespace scope', async () => {
      const handle = server.faults.forbid({ verb: 'list', resource: 'services' });
      const cluster = await call(server, 'GET', '/api/v1/services');
      expect(cluster.status).toBe(403);
      expect(cluster.body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `services is forbidden: User "${server.user}" cannot list resource "services" in API group "" at the cluster scope`,
        reason: 'Forbidden',
        details: { kind: 'services' },
        code: 403,
      });
      expect(server.user).toBe('system:serviceaccount:lattice-system:lattice-agent');
      expect((await call(server, 'GET', '/api/v1/namespaces/default/services/x')).status).toBe(404);
      handle.remove();
      expect((await call(server, 'GET', '/api/v1/services')).status).toBe(200);
      expect(handle.hits).toBe(1);
      server.faults.forbid({ group: 'apps', namespace: 'default' });
      const named = await call(server, 'GET', '/apis/apps/v1/namespaces/default/deployments/scaled/scale');
      expect(named.body.message).toBe(
        `deployments.apps "scaled" is forbidden: User "${server.user}" cannot get resource "deployments/scale" in API group "apps" in the namespace "default"`,
      );
      const watchDenied = await call(server, 'GET', '/apis/apps/v1/namespaces/default/deployments?watch=1');
      expect(watchDenied.body.message).toContain('cannot watch resource "deployments"');
    });

    it('fails with 500/503 a given number of times', async () => {
      server.faults.fail({ resource: 'configmaps', status: 500, times: 2 });
      const first = await call(server, 'GET', '/api/v1/configmaps');
      expect(first.body).toMatchObject({ code: 500, reason: 'InternalError' });
      expect((await call(server, 'GET', '/api/v1/configmaps')).status).toBe(500);
      expect((await call(server, 'GET', '/api/v1/configmaps')).status).toBe(200);
      server.faults.fail({ verb: 'create', status: 503 });
      const unavailable = await call(server, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: configMap('x503'),
      });
      expect(unavailable.body).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
      expect(unavailable.headers['retry-after']).toBe('1');
      server.faults.fail({ path: '/apis', status: 429 });
      expect((await call(server, 'GET', '/apis')).body).toMatchObject({
        code: 429,
        reason: 'TooManyRequests',
      });
    });

    it('delays and hangs requests', async () => {
      server.faults.delay(300, { resource: 'secrets' });
      const startedAt = Date.now();
      expect((await call(server, 'GET', '/api/v1/secrets')).status).toBe(200);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
      server.faults.hang({ resource: 'pods', times: 1 });
      await expect(call(server, 'GET', '/api/v1/pods', { timeoutMs: 300 })).rejects.toThrow('client timeout');
      expect((await call(server, 'GET', '/api/v1/pods')).status).toBe(200);
      expect(server.requests({ resource: 'pods' }).at(-2)?.status).toBeUndefined();
    });

    it('logs requests with verb, path, query, field manager and content type', async () => {
      server.clearRequests();
      await call(server, 'PATCH', '/api/v1/namespaces/default/configmaps/logged?fieldManager=logger', {
        raw: JSON.stringify(configMap('logged')),
        contentType: APPLY,
      });
      await call(server, 'GET', '/api/v1/namespaces/default/configmaps?labelSelector=a%3Db');
      expect(server.requests()).toEqual([
        expect.objectContaining({
          method: 'PATCH',
          verb: 'patch',
          resource: 'configmaps',
          namespace: 'default',
          name: 'logged',
          fieldManager: 'logger',
          contentType: APPLY,
          status: 201,
          user: server.user,
        }),
        expect.objectContaining({
          verb: 'list',
          path: '/api/v1/namespaces/default/configmaps',
          query: { labelSelector: 'a=b' },
          status: 200,
        }),
      ]);
    });
  });

  describe('store operations', () => {
    it('seeds objects at start and lets tests read, write and delete them with watch events', async () => {
      const seeded = await start({
        resources: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'cart', namespace: 'shop' },
            spec: { ports: [{ port: 80 }] },
          },
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'cart', namespace: 'shop' },
            spec: { replicas: 2, selector: { matchLabels: { app: 'cart' } } },
            status: { replicas: 2 },
          },
        ],
      });
      try {
        expect(
          seeded.store.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'cart', namespace: 'shop' })
            ?.status,
        ).toEqual({ replicas: 2 });
        const stream = await watch(
          seeded,
          `/api/v1/namespaces/shop/services?watch=1&resourceVersion=${seeded.store.resourceVersion()}`,
        );
        seeded.store.apply({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'cart', namespace: 'shop', labels: { a: 'b' } },
        });
        seeded.store.delete({ apiVersion: 'v1', kind: 'Service', name: 'cart', namespace: 'shop' });
        await stream.waitFor(2);
        stream.close();
        expect(stream.events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
        expect(seeded.store.list('v1', 'Service', 'shop')).toEqual([]);
        expect(seeded.requests()).toEqual([expect.objectContaining({ verb: 'watch' })]);
      } finally {
        await seeded.close();
      }
    });
  });

  it('targets the fake by default and a real cluster when LATTICE_TEST_KUBECONFIG is set', async () => {
    const fake = await kubeTarget({}, {});
    try {
      expect(fake.real).toBe(false);
      expect(fake.fake).toBeDefined();
      const real = await kubeTarget({}, { LATTICE_TEST_KUBECONFIG: fake.kubeconfigPath });
      expect(real.real).toBe(true);
      expect(real.fake).toBeUndefined();
      expect(real.endpoint).toEqual(endpointFromKubeconfig(fake.kubeconfigPath));
      expect((await call(real.endpoint, 'GET', '/api/v1/namespaces/default')).body.metadata.name).toBe(
        'default',
      );
      await real.close();
    } finally {
      await fake.close();
    }
  });

  it('runs standalone and prints its kubeconfig path', async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(__dirname, 'support/kube-api-server/run.cjs'),
        '--port',
        '0',
        '--istio-versions',
        'v1beta1',
        '--token',
        'standalone',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const kubeconfigPath = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const config = parseYaml(fs.readFileSync(kubeconfigPath, 'utf8'));
      const remote = {
        url: config.clusters[0].cluster.server,
        caPem: Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
        token: config.users[0].user.token,
      };
      expect(remote.token).toBe('standalone');
      const groups = (await call(remote, 'GET', '/apis')).body.groups;
      expect(groups.find((g: any) => g.name === 'networking.istio.io').preferredVersion.version).toBe(
        'v1beta1',
      );
    } finally {
      child.kill('SIGTERM');
    }
  });
});
