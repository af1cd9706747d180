import { DDSketch } from './ddsketch';
import { gnsTelemetryScope } from './gns-telemetry-scope';
import { buildTopology, type EdgeTraffic } from './telemetry-topology';
import { TrafficTotals } from './traffic-totals';

const HOUR_MS = 3_600_000;
// The demo: users enter through the gateway in edge; productpage, details and reviews (v1, v2) run
// in east; reviews v3 and ratings run in west.
const clusters = [
  { id: 'c-east', name: 'east' },
  { id: 'c-west', name: 'west' },
  { id: 'c-edge', name: 'edge' },
];
const scope = gnsTelemetryScope(
  [{ cluster: { type: 'REGEX', value: 'east|west|edge' }, namespace: { type: 'EXACT', value: 'bookinfo' } }],
  clusters,
);

function traffic(
  clusterId: string,
  sourceCluster: string,
  source: string,
  destination: string,
  requests: number,
): EdgeTraffic {
  return {
    clusterId,
    sourceCluster,
    sourceNamespace: 'bookinfo',
    sourceService: source,
    destinationNamespace: 'bookinfo',
    destinationService: destination,
    totals: new TrafficTotals().add(requests, 0, new DDSketch().add(10, requests)),
  };
}

const placed = (topology: ReturnType<typeof buildTopology>) =>
  topology.nodes.map((node) => `${node.clusterName}/${node.service}=${node.requests}`).sort();

describe('buildTopology', () => {
  it('places each destination in the cluster it runs in and each caller in its own cluster', () => {
    const topology = buildTopology(
      [
        traffic('c-east', 'edge', 'bookinfo-gateway', 'productpage', 100),
        traffic('c-east', 'east', 'productpage', 'reviews', 100),
        traffic('c-west', 'east', 'reviews', 'ratings', 13),
        traffic('c-west', 'west', 'reviews', 'ratings', 14),
      ],
      scope,
      clusters,
      HOUR_MS,
    );
    // No productpage under edge, no ratings under east; reviews runs in both east and west.
    expect(placed(topology)).toEqual([
      'east/productpage=100',
      'east/reviews=100',
      'edge/bookinfo-gateway=0',
      'west/ratings=27',
      'west/reviews=0',
    ]);
    expect(
      topology.edges.map((edge) => [edge.sourceId, edge.destinationId, edge.clusterId, edge.requests]),
    ).toEqual([
      ['c-east/bookinfo/productpage', 'c-east/bookinfo/reviews', 'c-east', 100],
      ['c-east/bookinfo/reviews', 'c-west/bookinfo/ratings', 'c-west', 13],
      ['c-edge/bookinfo/bookinfo-gateway', 'c-east/bookinfo/productpage', 'c-east', 100],
      ['c-west/bookinfo/reviews', 'c-west/bookinfo/ratings', 'c-west', 14],
    ]);
  });

  it('places a caller of unknown cluster (outside the mesh, older agents) in the reporting cluster, merging edges that meet', () => {
    const topology = buildTopology(
      [
        traffic('c-east', '', 'productpage', 'reviews', 5),
        traffic('c-east', 'east', 'productpage', 'reviews', 7),
      ],
      scope,
      clusters,
      HOUR_MS,
    );
    expect(placed(topology)).toEqual(['east/productpage=0', 'east/reviews=12']);
    expect(topology.edges).toHaveLength(1);
    expect(topology.edges[0]).toMatchObject({ requests: 12, requestRate: 12 / 3600 });
  });

  it('shows a caller in a cluster the tenant has not registered as a non-member under the mesh name', () => {
    const topology = buildTopology(
      [traffic('c-east', 'north', 'crawler', 'productpage', 3)],
      scope,
      clusters,
      HOUR_MS,
    );
    expect(topology.nodes.find((node) => node.service === 'crawler')).toMatchObject({
      id: 'mesh:north/bookinfo/crawler',
      clusterId: '',
      clusterName: 'north',
      member: false,
    });
  });

  it('keeps edges of a member caller into a destination outside the GNS, and drops edges with no member end', () => {
    const outside = gnsTelemetryScope(
      [{ cluster: { type: 'EXACT', value: 'east' }, namespace: { type: 'EXACT', value: 'bookinfo' } }],
      clusters,
    );
    const topology = buildTopology(
      [
        traffic('c-west', 'east', 'reviews', 'ratings', 13),
        traffic('c-west', 'west', 'reviews', 'ratings', 14),
      ],
      outside,
      clusters,
      HOUR_MS,
    );
    expect(topology.nodes.map((node) => [node.id, node.member])).toEqual([
      ['c-east/bookinfo/reviews', true],
      ['c-west/bookinfo/ratings', false],
    ]);
    expect(topology.edges.map((edge) => edge.requests)).toEqual([13]);
  });
});
