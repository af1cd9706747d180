// The Prometheus telemetry source against a real Prometheus server (Debian's `prometheus`)
// scraping a fixture exporter of Istio-shaped series: what the agent reports must equal the
// traffic the fixture recorded between two collections.
import { DDSketch } from '@lattice/domain';
import { IstioFixtureExporter, type Labels } from '../../../../test/support/istio-fixture-exporter';
import { PrometheusServer } from '../../../../test/support/prometheus-server';
import { RecordingLogger } from '../testing/agent.test-fixtures';
import { NotPrometheusError, PrometheusTelemetrySource } from './prometheus-telemetry.source';

const web = {
  source_workload: 'web-v1',
  source_canonical_service: 'web',
  source_workload_namespace: 'shop',
  source_cluster: 'east',
};
const toCart = {
  destination_service_name: 'cart',
  destination_service_namespace: 'shop',
  destination_canonical_service: 'cart',
  destination_cluster: 'east',
};
const call = (reporter: string, pod: string, code: string, source: Labels = web, destination = toCart) => ({
  reporter,
  pod,
  ...source,
  ...destination,
  response_code: code,
  request_protocol: 'http',
});
const gateway = {
  source_workload: 'istio-ingressgateway',
  source_canonical_service: 'istio-ingressgateway',
  source_workload_namespace: 'istio-system',
  source_cluster: 'east',
};
const toWeb = {
  destination_service_name: 'web',
  destination_service_namespace: 'shop',
  destination_canonical_service: 'web',
  destination_cluster: 'east',
};

describe('PrometheusTelemetrySource with a real Prometheus', () => {
  const exporter = new IstioFixtureExporter();
  let exporterAddress: string;
  let prometheus: PrometheusServer;

  /** Waits until Prometheus has scraped everything the exporter has recorded so far. */
  const scraped = () =>
    prometheus.waitForQuery(
      'sum(istio_requests_total)',
      (result) => Number(result[0]?.value[1]) === exporter.total(),
      60_000,
    );

  beforeAll(async () => {
    // Before Prometheus first scrapes: two cart pods and the gateway have served traffic already.
    exporter.record(call('destination', 'cart-a', '200'), 500, 4);
    exporter.record(call('destination', 'cart-b', '200'), 20, 4);
    exporter.record(call('source', 'web-a', '200'), 520, 6);
    exporter.record(call('destination', 'web-a', '200', gateway, toWeb), 90, 20);
    exporterAddress = await exporter.listen();
    prometheus = await PrometheusServer.start([exporterAddress], { metricsPath: '/stats/prometheus' });
    await scraped();
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter.close();
  });

  it('answers the probe with its version; a URL that is not a Prometheus fails start-up with a clear message', async () => {
    const logger = new RecordingLogger();
    expect(await new PrometheusTelemetrySource(prometheus.url, logger).probe()).toEqual({
      reachable: true,
      version: expect.stringMatching(/^2\./),
    });
    const exporterSource = new PrometheusTelemetrySource(`http://${exporterAddress}`, logger);
    await expect(exporterSource.probe()).rejects.toThrow(NotPrometheusError);
    await expect(exporterSource.probe()).rejects.toThrow(
      `http://${exporterAddress}/ is not a Prometheus server: GET http://${exporterAddress}/api/v1/status/buildinfo answered HTTP 404 (text/plain)`,
    );
  });

  it("reports exactly the traffic recorded between two collections, from Prometheus' query API", async () => {
    const source = new PrometheusTelemetrySource(prometheus.url, new RecordingLogger());
    const minute = Date.UTC(2026, 11, 3, 12, 0);
    expect(await source.collect(new Date(minute + 5_000))).toEqual([]); // the baseline

    // web -> cart: 40 requests on cart-a (30 fast, 8 slower, 2 failing slowly), seen by both ends;
    // cart-b restarts and then serves 3; the gateway sends web 12, one of them failing.
    exporter.record(call('destination', 'cart-a', '200'), 30, 3);
    exporter.record(call('destination', 'cart-a', '200'), 8, 40);
    exporter.record(call('destination', 'cart-a', '503'), 2, 700);
    exporter.record(call('source', 'web-a', '200'), 38, 5);
    exporter.record(call('source', 'web-a', '503'), 2, 702);
    exporter.reset({ pod: 'cart-b' });
    exporter.record(call('destination', 'cart-b', '200'), 3, 4);
    exporter.record(call('destination', 'web-a', '200', gateway, toWeb), 11, 20);
    exporter.record(call('destination', 'web-a', '500', gateway, toWeb), 1, 3000);
    await scraped();

    const items = await source.collect(new Date(minute + 20_000));
    expect(
      items.map(({ latency, ...item }) => ({ ...item, latencyCount: DDSketch.fromJSON(latency).count })),
    ).toEqual([
      {
        minuteUnixMs: minute,
        sourceCluster: 'east',
        sourceNamespace: 'istio-system',
        sourceService: 'istio-ingressgateway',
        destinationNamespace: 'shop',
        destinationService: 'web',
        requests: 12,
        errors: 1,
        latencyCount: 12,
      },
      {
        minuteUnixMs: minute,
        sourceCluster: 'east',
        sourceNamespace: 'shop',
        sourceService: 'web',
        destinationNamespace: 'shop',
        destinationService: 'cart',
        requests: 43,
        errors: 2,
        latencyCount: 43,
      },
    ]);
    const cart = DDSketch.fromJSON(items[1]!.latency);
    // The sum comes from _sum and is exact; quantiles sit at the buckets' geometric midpoints.
    expect(cart.sum).toBeCloseTo(30 * 3 + 8 * 40 + 2 * 700 + 3 * 4, 6);
    expect(cart.quantile(0.5)).toBeCloseTo(Math.sqrt(1 * 5), 1); // (1, 5] ms
    expect(cart.quantile(0.9)).toBeCloseTo(Math.sqrt(25 * 50), 0); // (25, 50] ms
    expect(cart.max).toBeCloseTo(Math.sqrt(500 * 1000), -1); // (500, 1000] ms

    // Nothing new: nothing reported.
    expect(await source.collect(new Date(minute + 35_000))).toEqual([]);
  });
});
