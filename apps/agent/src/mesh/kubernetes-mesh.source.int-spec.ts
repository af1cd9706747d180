/**
 * The Kubernetes mesh reader against the fake kube-apiserver (test/support/kube-api-server) through
 * the real @kubernetes/client-node: what it reads, what a refused read turns into, and that it
 * emits only changes. Run it with
 *   NODE_OPTIONS=--experimental-vm-modules npx jest -c jest.integration.config.js apps/agent/src/mesh
 */
import vm from 'node:vm';
import type { MeshInstallation, PassthroughGateway } from '@lattice/domain';
import { start, type KubeApiServer } from '../../../../test/support/kube-api-server';
import { loadKubeConfig } from '../inventory/kubernetes-inventory.source';
import { RecordingLogger } from '../testing/agent.test-fixtures';
import { KubernetesMeshSource } from './kubernetes-mesh.source';

if (typeof (vm as { SourceTextModule?: unknown }).SourceTextModule !== 'function') {
  throw new Error(
    'kubernetes-mesh.source.int-spec needs jest on node --experimental-vm-modules to load @kubernetes/client-node',
  );
}

const eastWestServer = (hosts: string[]) => ({
  port: { number: 15443, name: 'tls', protocol: 'TLS' },
  tls: { mode: 'AUTO_PASSTHROUGH' },
  hosts,
});

/** Istio's sample (samples/multicluster/expose-services.yaml) and Gateways the reader must skip. */
const GATEWAYS = [
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'cross-network-gateway', namespace: 'istio-system' },
    spec: { selector: { istio: 'eastwestgateway' }, servers: [eastWestServer(['*.local'])] },
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'partner', namespace: 'gateways' },
    spec: {
      selector: { app: 'ewgw' },
      servers: [
        { port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE' }, hosts: ['*'] },
        eastWestServer(['./*.shop.example', 'istio-system/*.local']),
      ],
    },
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'ingress', namespace: 'istio-system' },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'PASSTHROUGH' }, hosts: ['*'] },
      ],
    },
  },
  {
    // What Lattice renders itself (eastWestGatewayManaged true): not reported.
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: {
      name: 'lattice-eastwest-shop-1a2b3c4d',
      namespace: 'istio-system',
      labels: {
        'app.kubernetes.io/managed-by': 'lattice',
        'lattice.io/cluster': 'c1',
        'lattice.io/gns': 'g1',
      },
    },
    spec: { selector: { istio: 'eastwestgateway' }, servers: [eastWestServer(['*.shop.lattice.local'])] },
  },
];

const REPORTED_GATEWAYS: PassthroughGateway[] = [
  {
    namespace: 'gateways',
    name: 'partner',
    selector: { app: 'ewgw' },
    hosts: ['./*.shop.example', 'istio-system/*.local'],
  },
  {
    namespace: 'istio-system',
    name: 'cross-network-gateway',
    selector: { istio: 'eastwestgateway' },
    hosts: ['*.local'],
  },
];

async function sourceFor(kube: KubeApiServer): Promise<KubernetesMeshSource> {
  const k8s = await import('@kubernetes/client-node');
  // loadKubeConfig reads the kubeconfig the way the agent does (KUBECONFIG from the environment).
  const previous = process.env.KUBECONFIG;
  process.env.KUBECONFIG = kube.kubeconfigPath;
  const config = loadKubeConfig(k8s, process.env);
  if (previous === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = previous;
  return new KubernetesMeshSource(k8s, config, new RecordingLogger(), {
    eastWestGatewaySelector: 'app=ewgw',
    refreshMs: 60_000,
    timeoutMs: 5_000,
  });
}

describe('KubernetesMeshSource (fake API server)', () => {
  let kube: KubeApiServer;
  let source: KubernetesMeshSource;

  beforeAll(async () => {
    kube = await start({
      resources: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'net-a' } },
        },
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'istio-1-25', namespace: 'istio-system' },
          data: { mesh: 'trustDomain: corp.example\ntrustDomainAliases: [shop.lattice.local]\n' },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: {
            name: 'istiod-1-25',
            namespace: 'istio-system',
            labels: { app: 'istiod', 'istio.io/rev': '1-25' },
          },
          spec: {
            selector: { matchLabels: { app: 'istiod' } },
            template: {
              metadata: { labels: { app: 'istiod' } },
              spec: {
                containers: [
                  {
                    name: 'discovery',
                    image: 'docker.io/istio/pilot:1.25.1',
                    env: [{ name: 'PILOT_ENABLE_IP_AUTOALLOCATE', value: 'true' }],
                  },
                ],
              },
            },
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'cross-network-gateway', namespace: 'gateways', labels: { app: 'ewgw' } },
          spec: { type: 'LoadBalancer', ports: [{ name: 'tls', port: 15443, targetPort: 15443 }] },
        },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gateways' } },
        ...GATEWAYS,
        {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'n1', labels: { 'topology.kubernetes.io/region': 'eu-west-1' } },
        },
      ],
    });
    source = await sourceFor(kube);
  });

  afterAll(async () => {
    await source?.stop();
    await kube?.close();
  });

  it('reads a revisioned installation and a gateway found by a custom selector', async () => {
    const installation = await source.refresh();
    expect(installation).toEqual<MeshInstallation>({
      meshConfigFound: true,
      meshConfigName: 'istio-1-25',
      trustDomain: 'corp.example',
      trustDomainAliases: ['shop.lattice.local'],
      dnsCapture: false,
      dnsAutoAllocate: true,
      network: 'net-a',
      eastWestGateway: {
        namespace: 'gateways',
        name: 'cross-network-gateway',
        addresses: [],
        ports: [15443],
        selector: 'app=ewgw',
      },
      passthroughGateways: REPORTED_GATEWAYS,
      istioVersion: '1.25.1',
      revision: '1-25',
      localities: [{ region: 'eu-west-1', zone: '', nodes: 1 }],
      problems: [],
      source: 'kubernetes',
    });
  });

  it('emits only when something changed: the load balancer getting its address', async () => {
    const seen: MeshInstallation[] = [];
    const unsubscribe = source.subscribe((installation) => seen.push(installation));
    await source.refresh();
    expect(seen).toEqual([]);
    kube.store.setStatus(
      { apiVersion: 'v1', kind: 'Service', namespace: 'gateways', name: 'cross-network-gateway' },
      { loadBalancer: { ingress: [{ hostname: 'gw.example.com' }] } },
    );
    await source.refresh();
    expect(seen.map((installation) => installation.eastWestGateway?.addresses)).toEqual([['gw.example.com']]);
    unsubscribe();
  });

  it('names a refused read in problems and leaves what it feeds empty', async () => {
    const fault = kube.faults.forbid({ verb: 'list', resource: 'nodes' });
    try {
      const installation = await source.refresh();
      expect(installation.localities).toEqual([]);
      expect(installation.problems).toEqual([expect.stringMatching(/^nodes: Forbidden: .*nodes/)]);
      // Everything else is still read.
      expect(installation.trustDomain).toBe('corp.example');
    } finally {
      fault.remove();
    }
    expect((await source.refresh()).problems).toEqual([]);
  });

  it('reports Gateways it may not list as unknown (null) with the reason, then reads them again', async () => {
    const fault = kube.faults.forbid({ verb: 'list', group: 'networking.istio.io', resource: 'gateways' });
    try {
      const installation = await source.refresh();
      expect(installation.passthroughGateways).toBeNull();
      expect(installation.problems).toEqual([
        expect.stringMatching(/^gateways \(networking\.istio\.io\/v1\): Forbidden: .*gateways/),
      ]);
    } finally {
      fault.remove();
    }
    const again = await source.refresh();
    expect(again.passthroughGateways).toEqual(REPORTED_GATEWAYS);
    expect(again.problems).toEqual([]);
  });
});

describe('KubernetesMeshSource Gateways and the served Istio version', () => {
  it('lists Gateways at v1beta1 when the server serves only that', async () => {
    const kube = await start({
      istioVersions: ['v1beta1'],
      resources: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gateways' } },
        ...GATEWAYS.map((gateway) => ({ ...gateway, apiVersion: 'networking.istio.io/v1beta1' })),
      ],
    });
    const source = await sourceFor(kube);
    try {
      const installation = await source.refresh();
      expect(installation.passthroughGateways).toEqual(REPORTED_GATEWAYS);
      expect(kube.requests({ verb: 'list' }).filter((request) => request.path.includes('gateways'))).toEqual([
        expect.objectContaining({ path: '/apis/networking.istio.io/v1beta1/gateways' }),
      ]);
    } finally {
      await source.stop();
      await kube.close();
    }
  });

  it('reports no Gateway (not unknown) when Istio is not served at all', async () => {
    const kube = await start({ istioVersions: [] });
    const source = await sourceFor(kube);
    try {
      const installation = await source.refresh();
      expect(installation.passthroughGateways).toEqual([]);
      expect(installation.problems).toEqual([]);
    } finally {
      await source.stop();
      await kube.close();
    }
  });
});
