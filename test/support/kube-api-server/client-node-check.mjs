// Drives the fake API server with the real @kubernetes/client-node (ESM, Node >= 22), the way the
// agent does: typed list/create, Watch, informers and KubernetesObjectApi server-side apply.
// Usage: node client-node-check.mjs <kubeconfig>. Prints one JSON object with what it saw.
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  makeInformer,
} from '@kubernetes/client-node';

const kubeconfig = process.argv[2];
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const objects = KubernetesObjectApi.makeApiClient(kc);
const out = {};

const errorOf = (error) => ({
  code: error?.code ?? error?.statusCode,
  body: typeof error?.body === 'string' ? JSON.parse(error.body) : error?.body,
});
const until = (predicate, what, ms = 5000) =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (predicate()) resolve();
      else if (Date.now() - started > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 20);
    };
    tick();
  });

// Typed list and create.
out.namespaces = (await core.listNamespace()).items.map((ns) => ns.metadata.name);
await core.createNamespacedService({
  namespace: 'default',
  body: { metadata: { name: 'web', labels: { app: 'web' } }, spec: { ports: [{ port: 80 }] } },
});
const services = await core.listNamespacedService({ namespace: 'default', labelSelector: 'app in (web)' });
out.services = services.items.map((s) => s.metadata.name);
out.listResourceVersion = services.metadata.resourceVersion;

// Watch: events after the list's resourceVersion.
const seen = [];
const watch = new Watch(kc);
const controller = await watch.watch(
  '/api/v1/namespaces/default/services',
  { resourceVersion: out.listResourceVersion, allowWatchBookmarks: true },
  (phase, object) => seen.push([phase, object.metadata.name]),
  () => {},
);
await core.createNamespacedService({
  namespace: 'default',
  body: { metadata: { name: 'api' }, spec: { ports: [{ port: 8080 }] } },
});
await core.deleteNamespacedService({ namespace: 'default', name: 'api' });
await until(() => seen.length >= 2, 'watch events');
controller.abort();
out.watched = seen;

// Informer (list + watch, the agent's inventory source).
const informed = new Set();
const informer = makeInformer(kc, '/api/v1/namespaces/default/services', () =>
  core.listNamespacedService({ namespace: 'default' }),
);
informer.on('add', (service) => informed.add(service.metadata.name));
informer.on('delete', (service) => informed.delete(service.metadata.name));
await informer.start();
await core.createNamespacedService({
  namespace: 'default',
  body: { metadata: { name: 'late' }, spec: { ports: [{ port: 81 }] } },
});
await until(() => informed.has('late') && informed.has('web'), 'informer add');
// The test expires every watch (ERROR 410) and creates a service meanwhile: the informer must relist.
process.stdout.write('EXPIRE\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
await until(() => informed.has('after-expiry'), 'informer relist after 410');
await informer.stop();
out.informed = [...informed].sort();

// Server-side apply through KubernetesObjectApi, as the agent's Kubernetes sink does.
const vs = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'web', namespace: 'default' },
  spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' } }] }] },
};
const applied = await objects.patch(
  vs,
  undefined,
  undefined,
  'lattice-agent',
  true,
  PatchStrategy.ServerSideApply,
);
out.applied = {
  apiVersion: applied.apiVersion,
  managers: applied.metadata.managedFields.map((m) => `${m.manager}/${m.operation}`),
};
try {
  await objects.patch(
    { ...vs, spec: { ...vs.spec, hosts: ['other'] } },
    undefined,
    undefined,
    'someone-else',
    false,
    PatchStrategy.ServerSideApply,
  );
  out.conflict = 'none';
} catch (error) {
  out.conflict = errorOf(error);
}
const read = await objects.read({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'web', namespace: 'default' },
});
out.readHosts = read.spec.hosts;
const listed = await objects.list('networking.istio.io/v1', 'VirtualService', 'default');
out.listedKinds = listed.items.map((item) => item.kind);

// An injected RBAC denial (the test forbids listing secrets before running this script).
try {
  await core.listNamespacedSecret({ namespace: 'default' });
  out.forbidden = 'none';
} catch (error) {
  out.forbidden = errorOf(error);
}

process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
