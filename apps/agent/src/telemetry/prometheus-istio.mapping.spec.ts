import { DDSketch } from '@lattice/domain';
import type { PrometheusSample } from './prometheus-api.schema';
import { istioScrapeFromSamples, istioTelemetryBetween } from './prometheus-istio.mapping';

const MINUTE = Date.UTC(2024, 4, 1, 12, 0);

type Labels = Record<string, string>;

function labels(reporter: string, code: string, extra: Labels = {}): Labels {
  return {
    reporter,
    source_workload: 'frontend-v1',
    source_canonical_service: 'frontend',
    source_workload_namespace: 'shop',
    destination_service_name: 'cart',
    destination_canonical_service: 'cart-app',
    destination_service_namespace: 'shop',
    response_code: code,
    ...extra,
  };
}

function requests(reporter: string, code: string, value: number, extra: Labels = {}): PrometheusSample[] {
  return [{ name: 'istio_requests_total', labels: labels(reporter, code, extra), value }];
}

/** A histogram series with Istio-like bounds 1, 5, 10, 50, +Inf and the given cumulative counts. */
function histogram(reporter: string, code: string, cumulative: number[], sum: number): PrometheusSample[] {
  const bounds = ['1', '5', '10', '50', '+Inf'];
  return [
    ...bounds.map((le, index) => ({
      name: 'istio_request_duration_milliseconds_bucket',
      labels: { ...labels(reporter, code), le },
      value: cumulative[index],
    })),
    { name: 'istio_request_duration_milliseconds_sum', labels: labels(reporter, code), value: sum },
    {
      name: 'istio_request_duration_milliseconds_count',
      labels: labels(reporter, code),
      value: cumulative[cumulative.length - 1],
    },
  ];
}

/** One query's answer made of the given series. */
const scrape = (...series: PrometheusSample[][]) => istioScrapeFromSamples(series.flat());

describe('istioTelemetryBetween', () => {
  it('computes request and error deltas from destination-reported series only', () => {
    const previous = scrape(
      requests('destination', '200', 100),
      requests('destination', '503', 2),
      requests('source', '200', 101),
    );
    const current = scrape(
      requests('destination', '200', 160),
      requests('destination', '503', 7),
      requests('source', '200', 170),
      requests('source', '503', 7),
    );
    const [item, ...rest] = istioTelemetryBetween(previous, current, MINUTE);
    expect(rest).toEqual([]);
    expect(item).toMatchObject({
      minuteUnixMs: MINUTE,
      sourceNamespace: 'shop',
      sourceService: 'frontend',
      destinationNamespace: 'shop',
      destinationService: 'cart',
      requests: 65,
      errors: 5,
    });
  });

  it('falls back to source-reported series when the destination reports none', () => {
    const previous = scrape(requests('source', '200', 10));
    const current = scrape(requests('source', '200', 25));
    expect(istioTelemetryBetween(previous, current, MINUTE)[0].requests).toBe(15);
  });

  it('handles counter resets and new series', () => {
    const previous = scrape(requests('destination', '200', 5000));
    // The proxy restarted (counter went down) and a 500 series appeared.
    const current = scrape(requests('destination', '200', 40), requests('destination', '500', 3));
    expect(istioTelemetryBetween(previous, current, MINUTE)[0]).toMatchObject({ requests: 43, errors: 3 });
  });

  it('counts gRPC failures as errors even with HTTP 200', () => {
    const previous = scrape();
    const current = scrape(
      requests('destination', '200', 4, { grpc_response_status: '14' }),
      requests('destination', '200', 6, { grpc_response_status: '0' }),
      requests('destination', '200', 1, { grpc_response_status: '' }),
      requests('destination', '404', 2),
    );
    expect(istioTelemetryBetween(previous, current, MINUTE)[0]).toMatchObject({ requests: 13, errors: 4 });
  });

  it('turns histogram bucket deltas into a sketch at geometric bucket midpoints, with the exact sum', () => {
    const previous = scrape(histogram('destination', '200', [10, 20, 30, 30, 30], 200));
    // Deltas per bucket: (0,1] 0, (1,5] 10, (5,10] 0, (10,50] 5, (50,+Inf) 1.
    const current = scrape(histogram('destination', '200', [10, 30, 40, 45, 46], 800));
    const latency = DDSketch.fromJSON(istioTelemetryBetween(previous, current, MINUTE)[0].latency);
    expect(latency.count).toBe(16);
    expect(latency.sum).toBe(600);
    expect(latency.quantile(0.5)).toBeCloseTo(Math.sqrt(5), 1);
    expect(latency.quantile(0.9)).toBeCloseTo(Math.sqrt(500), 0);
    expect(latency.max).toBeCloseTo(50, 0);
  });

  it('treats a histogram whose buckets went down as reset', () => {
    const previous = scrape(histogram('destination', '200', [100, 200, 300, 300, 300], 5000));
    const current = scrape(histogram('destination', '200', [2, 2, 2, 2, 2], 1));
    const latency = DDSketch.fromJSON(istioTelemetryBetween(previous, current, MINUTE)[0].latency);
    expect(latency.count).toBe(2);
    expect(latency.max).toBe(0.5);
    expect(latency.sum).toBe(1);
  });

  it('ignores source-reported histograms when the destination reports the edge', () => {
    const current = scrape(
      histogram('destination', '200', [1, 1, 1, 1, 1], 0.5),
      histogram('source', '200', [0, 0, 0, 3, 3], 90),
    );
    const latency = DDSketch.fromJSON(istioTelemetryBetween(scrape(), current, MINUTE)[0].latency);
    expect(latency.count).toBe(1);
  });

  it('falls back to workload and canonical names and emits nothing for idle edges', () => {
    const batchJob = (value: number): PrometheusSample[] => [
      {
        name: 'istio_requests_total',
        labels: {
          reporter: 'destination',
          source_workload: 'batch-job',
          source_canonical_service: 'unknown',
          source_workload_namespace: 'jobs',
          destination_canonical_service: 'ledger',
          destination_service_namespace: 'finance',
          response_code: '200',
        },
        value,
      },
    ];
    const previous = scrape(batchJob(3), requests('destination', '200', 9));
    const current = scrape(batchJob(4), requests('destination', '200', 9));
    const items = istioTelemetryBetween(previous, current, MINUTE);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      sourceNamespace: 'jobs',
      sourceService: 'batch-job',
      destinationNamespace: 'finance',
      destinationService: 'ledger',
      requests: 1,
    });
  });

  describe('in a multi-cluster mesh (each cluster scraped by its own agent)', () => {
    /** An istio_requests_total series of reviews -> ratings with cluster labels. */
    const call = (
      reporter: string,
      sourceCluster: string,
      destinationCluster: string,
      value: number,
      source = 'reviews',
      destination = 'ratings',
    ): PrometheusSample[] => [
      {
        name: 'istio_requests_total',
        labels: {
          reporter,
          source_cluster: sourceCluster,
          destination_cluster: destinationCluster,
          source_canonical_service: source,
          source_workload_namespace: 'bookinfo',
          destination_service_name: destination,
          destination_service_namespace: 'bookinfo',
          response_code: '200',
        },
        value,
      },
    ];
    const interval = (series: PrometheusSample[][]) =>
      istioTelemetryBetween(scrape(), scrape(...series), MINUTE);

    // reviews in east calls ratings in west 13 times; reviews in west calls ratings (west) 14 times.
    const east = () => interval([call('source', 'east', 'west', 13)]);
    const west = () =>
      interval([
        call('destination', 'east', 'west', 13),
        call('destination', 'west', 'west', 14),
        call('source', 'west', 'west', 14),
      ]);

    it('counts each request once, in the cluster the destination runs in', () => {
      expect(east()).toEqual([]);
      const items = west();
      expect(items.map((item) => [item.sourceCluster, item.destinationService, item.requests])).toEqual([
        ['east', 'ratings', 13],
        ['west', 'ratings', 14],
      ]);
      expect([...east(), ...items].reduce((sum, item) => sum + item.requests, 0)).toBe(27);
    });

    it('counts a call to a destination outside the mesh from the client side, in the calling cluster', () => {
      const items = interval([call('source', 'east', 'unknown', 5, 'reviews', 'api.example.com')]);
      expect(items).toMatchObject([
        { sourceCluster: 'east', destinationService: 'api.example.com', requests: 5 },
      ]);
    });

    it('counts a call to a sidecar-less destination in the same cluster from the client side', () => {
      expect(interval([call('source', 'west', 'west', 4)])).toMatchObject([
        { sourceCluster: 'west', requests: 4 },
      ]);
    });

    it('leaves the caller cluster unset for a caller outside the mesh', () => {
      const [item] = interval([call('destination', 'unknown', 'west', 2, 'unknown')]);
      expect(item.sourceCluster).toBeUndefined();
      expect(item).toMatchObject({ sourceService: 'unknown', requests: 2 });
    });
  });
});
