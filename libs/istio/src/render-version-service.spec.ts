import type {
  DesiredClusterState,
  DesiredTrafficPolicy,
  LocalServiceEndpoint,
  RemoteServiceEndpoint,
  ServiceEndpoint,
} from '@lattice/domain';
import type { KubeObject } from './kube-object';
import { eastShopState, OWNED, validateAgainstSchema } from './istio.test-fixtures';
import { renderClusterState } from './render-cluster-state';
import { RenderError } from './render-error';

const HOST = 'reviews.shop.lattice.local';

const canary: DesiredTrafficPolicy = {
  service: 'reviews',
  subsets: [
    { name: 'v1', labels: { version: 'v1' } },
    { name: 'v2', labels: { version: 'v2' } },
  ],
  routes: [
    {
      name: 'route-0',
      destinations: [
        { subset: 'v1', weight: 90 },
        { subset: 'v2', weight: 10 },
      ],
    },
  ],
};

/** The per-version endpoint of east's reviews instance (as withPolicies splits it). */
function version(subset: string): LocalServiceEndpoint {
  return {
    kind: 'LOCAL',
    clusterId: 'c-east',
    clusterName: 'east',
    namespace: 'shop',
    address: 'reviews.shop.svc.cluster.local',
    labels: { app: 'reviews', version: subset },
    versionService: {
      subset,
      selector: { app: 'reviews', version: subset },
      ports: [
        { number: 9080, targetPort: 8080 },
        { number: 9090, targetPort: 9090 },
      ],
    },
  };
}

function westGateway(labels: Record<string, string>): RemoteServiceEndpoint {
  return {
    kind: 'REMOTE',
    clusterId: 'c-west',
    clusterName: 'west',
    namespace: 'shop',
    address: '203.0.113.20',
    port: 15443,
    labels,
  };
}

function eastState(
  endpoints: ServiceEndpoint[],
  policy: DesiredTrafficPolicy | null = canary,
): DesiredClusterState {
  return eastShopState({
    services: [
      {
        name: 'reviews',
        hostname: HOST,
        ports: [
          { name: 'http', number: 9080, protocol: 'HTTP' },
          // Not a valid Kubernetes port name: the per-version Service names it itself.
          { name: 'grpc_internal', number: 9090, protocol: 'GRPC' },
        ],
        endpoints,
      },
    ],
    ...(policy ? { trafficPolicies: [policy] } : {}),
  });
}

const only = (objects: KubeObject[], kind: string): KubeObject[] =>
  objects.filter((object) => object.kind === kind);
const spec = (object: KubeObject | undefined) => object?.spec as Record<string, unknown>;

describe('per-version Services of split instances', () => {
  it('routes a 90/10 canary between v1 and v2 behind one Service of this cluster (golden)', () => {
    const objects = renderClusterState(eastState([version('v1'), version('v2')]), new Map());
    for (const object of objects) expect(() => validateAgainstSchema(object)).not.toThrow();

    const services = only(objects, 'Service');
    expect(services).toEqual(
      ['v1', 'v2'].map((subset) => ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: expect.stringMatching(new RegExp(`^lattice-reviews-${subset}-[0-9a-f]{8}$`)),
          namespace: 'shop',
          labels: { ...OWNED, 'lattice.io/subset': subset },
        },
        spec: {
          type: 'ClusterIP',
          selector: { app: 'reviews', version: subset },
          ports: [
            { name: 'http', port: 9080, targetPort: 8080, protocol: 'TCP', appProtocol: 'http' },
            { name: 'grpc-9090', port: 9090, targetPort: 9090, protocol: 'TCP', appProtocol: 'grpc' },
          ],
        },
      })),
    );
    const [v1Name, v2Name] = services.map((service) => service.metadata.name);

    // The GNS host's endpoints are the per-version Services, labelled for the subsets.
    expect(spec(only(objects, 'ServiceEntry')[0])).toMatchObject({
      hosts: [HOST],
      resolution: 'DNS',
      endpoints: [
        {
          address: `${v1Name}.shop.svc.cluster.local`,
          ports: { http: 9080, grpc_internal: 9090 },
          labels: { app: 'reviews', version: 'v1', 'lattice.io/endpoint-cluster': 'east' },
        },
        {
          address: `${v2Name}.shop.svc.cluster.local`,
          ports: { http: 9080, grpc_internal: 9090 },
          labels: { app: 'reviews', version: 'v2', 'lattice.io/endpoint-cluster': 'east' },
        },
      ],
    });
    expect(
      (spec(only(objects, 'DestinationRule')[0]).subsets as { name: string; labels: object }[]).map(
        (subset) => [subset.name, subset.labels],
      ),
    ).toEqual([
      ['v1', { version: 'v1' }],
      ['v2', { version: 'v2' }],
    ]);
    expect(spec(only(objects, 'VirtualService')[0]).http).toEqual([
      expect.objectContaining({
        route: [
          { destination: { host: HOST, subset: 'v1' }, weight: 90 },
          { destination: { host: HOST, subset: 'v2' }, weight: 10 },
        ],
      }),
    ]);
    // The per-version Services exist before the ServiceEntry that points at them.
    const kinds = objects.map((object) => object.kind);
    expect(kinds.lastIndexOf('Service')).toBeLessThan(kinds.indexOf('ServiceEntry'));
  });

  it('mixes split local versions with a remote cluster running v2 alone', () => {
    const objects = renderClusterState(
      eastState([version('v1'), version('v2'), westGateway({ app: 'reviews', version: 'v2' })]),
      new Map(),
    );
    for (const object of objects) expect(() => validateAgainstSchema(object)).not.toThrow();
    expect(only(objects, 'Service')).toHaveLength(2);
    const endpoints = spec(only(objects, 'ServiceEntry')[0]).endpoints as {
      address: string;
      ports: Record<string, number>;
      labels: Record<string, string>;
    }[];
    expect(
      endpoints.map((endpoint) => [endpoint.labels.version, endpoint.address, endpoint.ports.http]),
    ).toEqual([
      ['v1', expect.stringMatching(/^lattice-reviews-v1-[0-9a-f]{8}\.shop\.svc\.cluster\.local$/), 9080],
      ['v2', expect.stringMatching(/^lattice-reviews-v2-[0-9a-f]{8}\.shop\.svc\.cluster\.local$/), 9080],
      ['v2', '203.0.113.20', 15443],
    ]);
  });

  it('reaches a remote split instance once per version, each subset with its own SNI', () => {
    // West's view of east running v1 and v2 behind one Service: the gateway twice, one per version.
    const state = eastState([
      westGateway({ app: 'reviews', version: 'v1' }),
      westGateway({ app: 'reviews', version: 'v2' }),
    ]);
    const objects = renderClusterState(state, new Map());
    for (const object of objects) expect(() => validateAgainstSchema(object)).not.toThrow();
    expect(only(objects, 'Service')).toEqual([]);
    const endpoints = spec(only(objects, 'ServiceEntry')[0]).endpoints as {
      labels: Record<string, string>;
    }[];
    expect(endpoints.map((endpoint) => endpoint.labels.version)).toEqual(['v1', 'v2']);
    const subsets = spec(only(objects, 'DestinationRule')[0]).subsets as {
      name: string;
      trafficPolicy: { portLevelSettings: { tls: { sni: string } }[] };
    }[];
    expect(subsets.map((subset) => [subset.name, subset.trafficPolicy.portLevelSettings[0].tls.sni])).toEqual(
      [
        ['v1', `outbound_.9080_.v1_.${HOST}`],
        ['v2', `outbound_.9080_.v2_.${HOST}`],
      ],
    );
  });

  it('renders no per-version Service once the policy is gone (the agent prunes the old ones)', () => {
    const whole: LocalServiceEndpoint = {
      kind: 'LOCAL',
      clusterId: 'c-east',
      clusterName: 'east',
      namespace: 'shop',
      address: 'reviews.shop.svc.cluster.local',
    };
    const objects = renderClusterState(eastState([whole], null), new Map());
    expect(only(objects, 'Service')).toEqual([]);
    expect(only(objects, 'VirtualService')).toEqual([]);
    expect((spec(only(objects, 'ServiceEntry')[0]).endpoints as { address: string }[])[0].address).toBe(
      'reviews.shop.svc.cluster.local',
    );
  });

  it('refuses a per-version Service without a pod selector', () => {
    const broken = version('v1');
    broken.versionService = { ...broken.versionService!, selector: {} };
    expect(() => renderClusterState(eastState([broken]), new Map())).toThrow(RenderError);
  });
});
