import {
  buildDesiredStates,
  computeMembership,
  withPolicies,
  type ClusterWithInventory,
  type GlobalNamespaceDefinition,
} from '@lattice/domain';
import { renderClusterState } from '@lattice/istio';
import { analyzeIstio, assertIstioClean, type AnalyzedObject } from './istio-analyzer';

const reviews = (versions: string[]) => ({
  namespace: 'shop',
  name: 'reviews',
  labels: { app: 'reviews' },
  selector: { app: 'reviews' },
  ports: [{ name: 'http', port: 9080, protocol: 'HTTP', targetPort: 9080 }],
  endpointGroups: versions.map((version) => ({ labels: { app: 'reviews', version }, ready: 2, notReady: 0 })),
});
const ledger = {
  namespace: 'shop',
  name: 'ledger',
  labels: { app: 'ledger' },
  ports: [{ name: 'pg', port: 5432, protocol: 'TCP', targetPort: 5432 }],
  endpointGroups: [{ labels: { app: 'ledger' }, ready: 1, notReady: 0 }],
};
const clusters: ClusterWithInventory[] = [
  {
    id: 'c-east',
    name: 'east',
    eastWestAddress: '192.0.2.1',
    network: 'net-east',
    locality: { region: 'eu-west-1', zone: 'eu-west-1a' },
    inventory: { namespaces: [{ name: 'shop', labels: {} }], services: [reviews(['v1', 'v2']), ledger] },
  },
  {
    id: 'c-west',
    name: 'west',
    eastWestAddress: '192.0.2.2',
    network: 'net-west',
    locality: { region: 'us-east-1', zone: 'us-east-1a' },
    inventory: { namespaces: [{ name: 'shop', labels: {} }], services: [reviews(['v1', 'v2'])] },
  },
];
const shop: GlobalNamespaceDefinition = {
  id: 'g-shop',
  name: 'shop',
  domain: 'shop.lattice.local',
  mtlsMode: 'STRICT',
  matchConditions: [{ cluster: { type: 'REGEX', value: '.*' }, namespace: { type: 'EXACT', value: 'shop' } }],
  createdAt: new Date('2024-01-01'),
};

/** What Lattice renders in both clusters for a canary of reviews and a TCP ledger with its VIP. */
function rendered(): Map<string, AnalyzedObject[]> {
  const membership = computeMembership([shop], clusters);
  const states = withPolicies(
    buildDesiredStates(
      membership,
      clusters,
      new Map(),
      new Map([['g-shop', new Map([['ledger', '240.241.0.1']])]]),
    ),
    membership,
    clusters,
    new Map([
      [
        'g-shop',
        {
          trafficPolicies: new Map([
            [
              'reviews',
              {
                subsets: [
                  { name: 'v1', labels: { version: 'v1' } },
                  { name: 'v2', labels: { version: 'v2' } },
                ],
                routes: [
                  {
                    destinations: [
                      { subset: 'v1', weight: 90 },
                      { subset: 'v2', weight: 10 },
                    ],
                  },
                ],
              },
            ],
          ]),
          securityPolicy: {
            defaultAction: 'DENY' as const,
            rules: [{ action: 'ALLOW' as const, from: ['ledger'], to: 'reviews' }],
          },
        },
      ],
    ]),
  );
  return new Map(
    [...states].map(([clusterId, state]) => [
      clusterId,
      renderClusterState(state, new Map()) as AnalyzedObject[],
    ]),
  );
}

describe('istio analyzer', () => {
  it('finds nothing wrong in what Lattice renders for a multi-cluster canary and a TCP service', () => {
    for (const objects of rendered().values()) expect(() => assertIstioClean(objects)).not.toThrow();
  });

  it('flags each problem it knows, naming the object', () => {
    const objects = rendered().get('c-west') ?? [];
    const clone = (object: AnalyzedObject) => JSON.parse(JSON.stringify(object)) as AnalyzedObject;
    const entry = clone(
      objects.find(
        (object) => object.kind === 'ServiceEntry' && JSON.stringify(object.spec).includes('reviews'),
      )!,
    );
    const rule = clone(
      objects.find(
        (object) => object.kind === 'DestinationRule' && JSON.stringify(object.spec).includes('reviews'),
      )!,
    );
    const spec = entry.spec as { endpoints: Record<string, unknown>[]; exportTo?: string[] };
    // A second endpoint at the same gateway, without a network; exportTo gone.
    spec.endpoints.push({ ...spec.endpoints[spec.endpoints.length - 1], network: undefined });
    delete spec.endpoints[spec.endpoints.length - 1].network;
    delete spec.exportTo;
    const ruleSpec = rule.spec as {
      subsets: { name: string; labels: Record<string, string> }[];
      trafficPolicy: Record<string, unknown>;
    };
    ruleSpec.subsets.push({ name: 'v3', labels: { 'subset.lattice.io/v3': 'true' } });
    delete ruleSpec.trafficPolicy.outlierDetection;
    const tcp = {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'ServiceEntry',
      metadata: { name: 'tcp', namespace: 'istio-system' },
      spec: {
        hosts: ['tcp.example'],
        exportTo: ['*'],
        location: 'MESH_INTERNAL',
        resolution: 'DNS',
        ports: [{ number: 3270, name: 'tn', protocol: 'TCP' }],
        endpoints: [{ address: 'tcp.example' }],
      },
    };
    const virtualService = {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'vs', namespace: 'istio-system' },
      spec: {
        hosts: ['nowhere.example'],
        exportTo: ['Not A Namespace'],
        http: [
          {
            route: [
              { destination: { host: rule.spec && (rule.spec as { host: string }).host, subset: 'v9' } },
            ],
          },
        ],
      },
    };
    const policy = {
      apiVersion: 'security.istio.io/v1beta1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'ap', namespace: 'shop' },
      spec: { rules: [{ from: [{ source: { principals: ['spiffe://shop.lattice.local/ns/shop/sa/x'] } }] }] },
    };
    const gateway = clone(objects.find((object) => object.kind === 'Gateway')!);
    (gateway.spec as { servers: { hosts: string[] }[] }).servers[0].hosts = ['*.other.example'];
    const badSchema = {
      ...clone(rule),
      metadata: { ...rule.metadata, name: 'extra' },
      spec: { ...(rule.spec as object), bogus: 1 },
    };

    const checks = analyzeIstio([entry, rule, tcp, virtualService, policy, gateway, badSchema]).map(
      (finding) => finding.check,
    );
    expect(new Set(checks)).toEqual(
      new Set([
        'schema',
        'duplicate-endpoint',
        'gateway-endpoint-network',
        'export-to',
        'subset-endpoints',
        'failover-outlier-detection',
        'one-destination-rule',
        'tcp-address',
        'virtual-service-host',
        'virtual-service-subset',
        'principal-form',
        'east-west-gateway',
      ]),
    );
    expect(() => assertIstioClean([tcp])).toThrow(/ServiceEntry istio-system\/tcp \[tcp-address\]/);
  });
});
