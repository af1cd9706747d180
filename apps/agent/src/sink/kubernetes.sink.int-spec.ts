/**
 * The Kubernetes sink against the fake kube-apiserver (test/support/kube-api-server) through the
 * real @kubernetes/client-node: Istio versions discovered (v1 only, v1beta1 only, both), ownership
 * (a user's cacerts and same-named objects untouched, take-over only when opted in) and failures
 * reported, never read as "nothing to prune". Run it through `npm run test:integration`, or with
 *   NODE_OPTIONS=--experimental-vm-modules npx jest -c jest.integration.config.js apps/agent/src/sink
 */
import vm from 'node:vm';
import type { KubeObject } from '@lattice/istio';
import { start, type KubeApiServer } from '../../../../test/support/kube-api-server';
import type { IstioVersion } from '../../../../test/support/kube-api-server';
import { RecordingLogger } from '../testing/agent.test-fixtures';
import { OWNER_ANNOTATION } from './kubernetes-ownership.util';
import { KubernetesSink } from './kubernetes.sink';

// The client is ESM-only: jest loads it (require(esm)) only with vm.SourceTextModule, i.e. with
// --experimental-vm-modules (e.g. NODE_OPTIONS=--experimental-vm-modules).
if (typeof (vm as { SourceTextModule?: unknown }).SourceTextModule !== 'function') {
  throw new Error(
    'kubernetes.sink.int-spec needs jest on node --experimental-vm-modules to load @kubernetes/client-node (npm run test:integration sets it)',
  );
}

const CLUSTER = 'c-1';
const gnsLabels = {
  'app.kubernetes.io/managed-by': 'lattice',
  'lattice.io/gns': 'g-1',
  'lattice.io/cluster': CLUSTER,
};

/** Objects as @lattice/istio renders them (always v1beta1; the sink picks the served version). */
function serviceEntry(name: string): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'ServiceEntry',
    metadata: { name, namespace: 'istio-system', labels: { ...gnsLabels } },
    spec: { hosts: [`${name}.shop.global`], location: 'MESH_INTERNAL', resolution: 'DNS' },
  };
}
function destinationRule(name: string): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'DestinationRule',
    metadata: { name, namespace: 'istio-system', labels: { ...gnsLabels } },
    spec: { host: `${name}.shop.global` },
  };
}
function peerAuthentication(namespace: string): KubeObject {
  return {
    apiVersion: 'security.istio.io/v1beta1',
    kind: 'PeerAuthentication',
    metadata: { name: 'lattice-g-1', namespace, labels: { ...gnsLabels } },
    spec: { mtls: { mode: 'STRICT' } },
  };
}
function meshCa(certificate: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'cacerts', namespace: 'istio-system', labels: { ...gnsLabels } },
    type: 'Opaque',
    data: { 'ca-cert.pem': Buffer.from(certificate).toString('base64') },
  };
}
const namespaces = ['istio-system', 'shop'].map((name) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
}));

describe('KubernetesSink against an API server', () => {
  let kube: KubeApiServer;
  let logger: RecordingLogger;

  async function serve(istioVersions: IstioVersion[], resources: KubeObject[] = []): Promise<KubernetesSink> {
    kube = await start({ istioVersions, resources: [...namespaces, ...resources] });
    logger = new RecordingLogger();
    return new KubernetesSink({ clusterId: () => CLUSTER, logger, kubeconfigPath: kube.kubeconfigPath });
  }

  afterEach(async () => {
    await kube?.close();
  });

  const names = (apiVersion: string, kind: string, namespace?: string) =>
    kube.store
      .list(apiVersion, kind, namespace)
      .map((object) => object.metadata?.name)
      .sort();

  describe.each<{ served: IstioVersion[]; used: string }>([
    { served: ['v1'], used: 'v1' },
    { served: ['v1beta1'], used: 'v1beta1' },
    { served: ['v1', 'v1beta1'], used: 'v1' },
  ])('a cluster serving Istio $served', ({ served, used }) => {
    it(`applies and prunes with ${used}`, async () => {
      const sink = await serve(served);
      await sink.apply([
        serviceEntry('cart'),
        serviceEntry('web'),
        destinationRule('cart'),
        peerAuthentication('shop'),
      ]);
      expect(names(`networking.istio.io/${used}`, 'ServiceEntry', 'istio-system')).toEqual(['cart', 'web']);
      const cart = kube.store.get({
        apiVersion: `networking.istio.io/${used}`,
        kind: 'ServiceEntry',
        namespace: 'istio-system',
        name: 'cart',
      });
      expect(cart?.metadata?.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'lattice',
        'lattice.io/cluster': CLUSTER,
      });
      expect(JSON.parse(cart?.metadata?.annotations?.[OWNER_ANNOTATION] ?? '{}')).toEqual({
        cluster: CLUSTER,
        globalNamespace: 'g-1',
      });

      // The GNS loses "web" and its namespace: pruned at the same version it was applied with.
      await sink.apply([serviceEntry('cart'), destinationRule('cart')]);
      expect(names(`networking.istio.io/${used}`, 'ServiceEntry', 'istio-system')).toEqual(['cart']);
      expect(names(`security.istio.io/${used}`, 'PeerAuthentication', 'shop')).toEqual([]);

      // The last GNS is gone: everything Lattice made goes.
      await sink.apply([]);
      expect(names(`networking.istio.io/${used}`, 'ServiceEntry')).toEqual([]);
      expect(names(`networking.istio.io/${used}`, 'DestinationRule')).toEqual([]);

      const istioRequests = kube.requests().filter((request) => request.group?.endsWith('istio.io'));
      expect(new Set(istioRequests.map((request) => request.version))).toEqual(new Set([used]));
      // 404s only where the agent asks whether a new object's name is free (GET), never on a list.
      expect(
        istioRequests
          .filter((request) => request.status === 404 && request.verb !== 'get')
          .map((r) => r.path),
      ).toEqual([]);
    });
  });

  it('reports a 404 on the discovered version instead of reading it as nothing to prune', async () => {
    const sink = await serve(['v1']);
    await sink.apply([serviceEntry('cart'), serviceEntry('web')]);
    const fault = kube.faults.fail({
      verb: 'list',
      group: 'networking.istio.io',
      resource: 'serviceentries',
      status: 404,
    });
    await expect(sink.apply([serviceEntry('cart')])).rejects.toThrow(
      'listing ServiceEntry at networking.istio.io/v1 to prune: 404 the server could not find the requested resource',
    );
    fault.remove();
    expect(names('networking.istio.io/v1', 'ServiceEntry', 'istio-system')).toEqual(['cart', 'web']);
    await sink.apply([serviceEntry('cart')]);
    expect(names('networking.istio.io/v1', 'ServiceEntry', 'istio-system')).toEqual(['cart']);
  });

  it('says so when Istio is not installed, and still prunes core objects', async () => {
    const sink = await serve([]);
    await expect(sink.apply([serviceEntry('cart')])).rejects.toThrow(
      'ServiceEntry istio-system/cart: the API server does not serve networking.istio.io (is Istio installed in this cluster?)',
    );
    await sink.apply([meshCa('lattice')]);
    await sink.apply([]);
    expect(names('v1', 'Secret', 'istio-system')).toEqual([]);
  });

  it('fails when discovery fails', async () => {
    const sink = await serve(['v1']);
    kube.faults.fail({ path: '/apis', status: 503, times: 1 });
    await expect(sink.apply([serviceEntry('cart')])).rejects.toThrow('API discovery (GET /apis) failed: 503');
    await sink.apply([serviceEntry('cart')]);
  });

  describe('ownership', () => {
    const usersCa = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cacerts', namespace: 'istio-system' },
      type: 'Opaque',
      data: { 'ca-cert.pem': Buffer.from('users own CA').toString('base64') },
    };
    const readCa = () =>
      kube.store.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'cacerts' });
    const caText = () =>
      Buffer.from(
        String(readCa()?.data && (readCa()?.data as Record<string, string>)['ca-cert.pem']),
        'base64',
      ).toString();

    it("never overwrites or deletes a user's cacerts, and says why", async () => {
      const sink = await serve(['v1'], [usersCa]);
      await expect(sink.apply([serviceEntry('cart'), meshCa('lattice')])).rejects.toThrow(
        'Secret istio-system/cacerts exists and was not created by Lattice (a CA of your own?); it is left untouched. Register the cluster with takeOverMeshCa: true',
      );
      expect(caText()).toBe('users own CA');
      // Nothing was written: the refusal comes before any write.
      expect(kube.requests({ verb: 'patch' })).toEqual([]);
      expect(logger.messages('warn')).toContain('not overwriting an object Lattice does not own');

      // Leaving the last GNS deletes only what Lattice made.
      await sink.apply([]);
      expect(caText()).toBe('users own CA');

      // Even when someone copies Lattice's labels onto it.
      kube.store.patch(
        { apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'cacerts' },
        { metadata: { labels: gnsLabels } },
      );
      await sink.apply([]);
      expect(caText()).toBe('users own CA');
    });

    it('takes over an existing cacerts when the cluster opted in, and never deletes it', async () => {
      const sink = await serve(['v1'], [usersCa]);
      await sink.apply([serviceEntry('cart'), meshCa('lattice')], { takeOverMeshCa: true });
      expect(caText()).toBe('lattice');
      expect(JSON.parse(readCa()?.metadata?.annotations?.[OWNER_ANNOTATION] ?? '{}')).toEqual({
        cluster: CLUSTER,
        globalNamespace: 'g-1',
        takenOver: true,
      });
      expect(logger.messages('warn')).toContain(
        'taking over an existing object Lattice did not create (the cluster was registered with takeOverMeshCa)',
      );
      // Later applies keep the mark, even without the option.
      await sink.apply([serviceEntry('cart'), meshCa('lattice 2')]);
      expect(JSON.parse(readCa()?.metadata?.annotations?.[OWNER_ANNOTATION] ?? '{}').takenOver).toBe(true);

      await sink.apply([], { takeOverMeshCa: true });
      expect(caText()).toBe('lattice 2');
      expect(names('networking.istio.io/v1', 'ServiceEntry')).toEqual([]);
    });

    it('creates and later deletes a cacerts of its own when there was none', async () => {
      const sink = await serve(['v1']);
      await sink.apply([meshCa('lattice')]);
      expect(caText()).toBe('lattice');
      await sink.apply([]);
      expect(readCa()).toBeUndefined();
    });

    it('leaves an unowned ServiceEntry of the same name untouched', async () => {
      const theirs = {
        ...serviceEntry('cart'),
        apiVersion: 'networking.istio.io/v1',
        metadata: { name: 'cart', namespace: 'istio-system' },
      };
      const sink = await serve(['v1', 'v1beta1'], [theirs]);
      await expect(sink.apply([serviceEntry('cart'), serviceEntry('web')])).rejects.toThrow(
        'ServiceEntry istio-system/cart exists and was not created by Lattice',
      );
      const cart = kube.store.get({
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        namespace: 'istio-system',
        name: 'cart',
      });
      expect(cart?.metadata?.labels).toBeUndefined();
      expect(names('networking.istio.io/v1', 'ServiceEntry')).toEqual(['cart']);

      await sink.apply([serviceEntry('web')]);
      await sink.apply([]);
      expect(names('networking.istio.io/v1', 'ServiceEntry')).toEqual(['cart']);
    });
  });
});
