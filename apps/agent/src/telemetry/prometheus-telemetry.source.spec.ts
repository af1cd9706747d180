import { DDSketch } from '@lattice/domain';
import { RecordingLogger } from '../testing/agent.test-fixtures';
import {
  type HttpAnswer,
  ISTIO_SERIES_QUERY,
  NotPrometheusError,
  PrometheusTelemetrySource,
} from './prometheus-telemetry.source';

const t0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const json = (body: unknown, status = 200): HttpAnswer => ({
  status,
  contentType: 'application/json',
  body: JSON.stringify(body),
});
const BUILD_INFO = json({ status: 'success', data: { version: '2.42.0', revision: 'x' } });

const edge = {
  reporter: 'destination',
  source_canonical_service: 'web',
  source_workload_namespace: 'shop',
  destination_service_name: 'cart',
  destination_service_namespace: 'shop',
};
/** An instant-vector answer for `requests` (200s) and `errors` (503s), all under 10 ms. */
function vector(requests: number, errors: number): HttpAnswer {
  const sample = (metric: Record<string, string>, value: number) => ({
    metric,
    value: [t0 / 1000, String(value)],
  });
  return json({
    status: 'success',
    data: {
      resultType: 'vector',
      result: [
        sample({ __name__: 'istio_requests_total', ...edge, response_code: '200' }, requests - errors),
        sample({ __name__: 'istio_requests_total', ...edge, response_code: '503' }, errors),
        ...['10', '+Inf'].map((le) =>
          sample({ __name__: 'istio_request_duration_milliseconds_bucket', ...edge, le }, requests),
        ),
        sample({ __name__: 'istio_request_duration_milliseconds_sum', ...edge }, requests * 4),
      ],
    },
  });
}

/** A fake server: answers in order and records what was asked. */
function server(...answers: Array<HttpAnswer | Error>) {
  const requests: Array<{ url: URL; headers: Record<string, string> }> = [];
  const get = async (url: URL, headers: Record<string, string>): Promise<HttpAnswer> => {
    requests.push({ url, headers });
    const next = answers.shift();
    if (next === undefined) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  };
  return { get, requests };
}

describe('PrometheusTelemetrySource', () => {
  describe('probe', () => {
    it('asks the build information under the base URL, keeping a path prefix', async () => {
      const fake = server(BUILD_INFO);
      const source = new PrometheusTelemetrySource(
        'http://prom.example:9090/prometheus',
        new RecordingLogger(),
        fake.get,
      );
      expect(await source.probe()).toEqual({ reachable: true, version: '2.42.0' });
      expect(fake.requests[0]!.url.href).toBe('http://prom.example:9090/prometheus/api/v1/status/buildinfo');
    });

    it('turns user:password in the URL into basic authentication and keeps it out of messages', async () => {
      const fake = server(BUILD_INFO);
      const source = new PrometheusTelemetrySource(
        'https://ops:s%40cret@prom.example/',
        new RecordingLogger(),
        fake.get,
      );
      await source.probe();
      expect(fake.requests[0]!.headers.authorization).toBe(
        `Basic ${Buffer.from('ops:s@cret').toString('base64')}`,
      );
      expect(fake.requests[0]!.url.href).toBe('https://prom.example/api/v1/status/buildinfo');
      expect(source.url).toBe('https://prom.example/');
    });

    it.each([
      [
        'an HTML page',
        { status: 200, contentType: 'text/html; charset=utf-8', body: '<html>Grafana</html>' },
        /is not a Prometheus server: GET http:\/\/mesh:3000\/api\/v1\/status\/buildinfo answered something other than JSON \(text\/html\)/,
      ],
      [
        'a 404',
        { status: 404, contentType: 'text/plain', body: 'not found' },
        /answered HTTP 404 \(text\/plain\)/,
      ],
      ['a refusal of credentials', { status: 401, contentType: '', body: '' }, /answered HTTP 401;/],
      [
        'JSON of something else',
        json({ ok: true }),
        /answered the answer is not a Prometheus build information/,
      ],
    ])('refuses a URL that answers %s, saying what to give instead', async (_what, answer, message) => {
      const probe = () =>
        new PrometheusTelemetrySource('http://mesh:3000', new RecordingLogger(), server(answer).get).probe();
      await expect(probe()).rejects.toThrow(NotPrometheusError);
      await expect(probe()).rejects.toThrow(message);
      await expect(probe()).rejects.toThrow(/e\.g\. http:\/\/prometheus\.istio-system:9090/);
    });

    it('reports an unreachable or failing server as worth retrying, not as a wrong URL', async () => {
      const refused = Object.assign(new TypeError('fetch failed'), {
        cause: new Error('connect ECONNREFUSED'),
      });
      const source = new PrometheusTelemetrySource(
        'http://prom:9090',
        new RecordingLogger(),
        server(refused, { status: 503, contentType: 'text/plain', body: 'starting' }).get,
      );
      expect(await source.probe()).toEqual({
        reachable: false,
        reason: 'fetch failed: connect ECONNREFUSED',
      });
      expect(await source.probe()).toEqual({ reachable: false, reason: 'HTTP 503' });
    });
  });

  describe('collect', () => {
    it('queries the Istio series in one instant query, uses the first answer as a baseline, then reports deltas', async () => {
      const fake = server(vector(100, 1), vector(163, 4));
      const source = new PrometheusTelemetrySource('http://prom:9090', new RecordingLogger(), fake.get);
      expect(await source.collect(new Date(t0 + 10_000))).toEqual([]);
      const items = await source.collect(new Date(t0 + 25_000));
      expect(fake.requests[0]!.url.pathname).toBe('/api/v1/query');
      expect(fake.requests[0]!.url.searchParams.get('query')).toBe(ISTIO_SERIES_QUERY);
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        minuteUnixMs: t0,
        requests: 63,
        errors: 3,
        sourceNamespace: 'shop',
        sourceService: 'web',
        destinationNamespace: 'shop',
        destinationService: 'cart',
      });
      const latency = DDSketch.fromJSON(items[0]!.latency);
      expect(latency.count).toBe(63);
      expect(latency.sum).toBe(63 * 4);
    });

    it('reports nothing for a failed query, logs why, and keeps its baseline', async () => {
      const logger = new RecordingLogger();
      const source = new PrometheusTelemetrySource(
        'http://prom:9090',
        logger,
        server(
          vector(10, 0),
          json({ status: 'error', errorType: 'timeout', error: 'query timed out' }, 503),
          { status: 200, contentType: 'text/html', body: '<html>' },
          new Error('socket hang up'),
          vector(30, 0),
        ).get,
      );
      await source.collect(new Date(t0));
      for (const at of [15_000, 20_000, 25_000]) expect(await source.collect(new Date(t0 + at))).toEqual([]);
      expect((await source.collect(new Date(t0 + 30_000)))[0]).toMatchObject({ requests: 20 });
      expect(
        logger.records.filter((record) => record.level === 'warn').map((record) => record.fields),
      ).toEqual([
        { url: 'http://prom:9090/', err: 'Prometheus answered timeout: query timed out' },
        { url: 'http://prom:9090/', err: 'GET /api/v1/query answered HTTP 200 (text/html), not JSON' },
        { url: 'http://prom:9090/', err: 'socket hang up' },
      ]);
    });

    it('refuses an answer that is not an instant vector, and sample values that are not numbers', async () => {
      const logger = new RecordingLogger();
      const matrix = json({ status: 'success', data: { resultType: 'matrix', result: [] } });
      const badValue = json({
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: { __name__: 'istio_requests_total' }, value: [1, 'many'] }],
        },
      });
      const source = new PrometheusTelemetrySource('http://prom:9090', logger, server(matrix, badValue).get);
      await source.collect(new Date(t0));
      await source.collect(new Date(t0));
      expect(logger.records.map((record) => (record.fields as { err: string }).err)).toEqual([
        expect.stringMatching(/not an instant vector \(data\.resultType/),
        'invalid sample value "many"',
      ]);
    });
  });
});
