import { minuteStart } from '@lattice/domain';
import type { TelemetryItem } from '@lattice/proto';
import { errorMessage, type AgentLogger } from '../logger';
import {
  ISTIO_REQUEST_DURATION,
  ISTIO_REQUESTS_TOTAL,
  istioScrapeFromSamples,
  istioTelemetryBetween,
  type IstioScrape,
} from './prometheus-istio.mapping';
import { parseBuildInfo, parseInstantVector, PrometheusAnswerError } from './prometheus-api.schema';
import type { TelemetrySource } from './telemetry-source.port';

/**
 * The series the source reads, in one selector so that one evaluation (one instant) answers all
 * of them. Raw series, not sums: a counter reset is then seen per proxy, as it happened.
 */
export const ISTIO_SERIES_QUERY = `{__name__=~"${ISTIO_REQUESTS_TOTAL}|${ISTIO_REQUEST_DURATION}_bucket|${ISTIO_REQUEST_DURATION}_sum"}`;

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** GET with headers; rejects only when no answer came (connection refused, DNS, timeout). */
export type HttpGet = (url: URL, headers: Record<string, string>) => Promise<HttpAnswer>;

const REQUEST_TIMEOUT_MS = 10_000;

const httpGet: HttpGet = async (url, headers) => {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
};

/** The URL answers, but not as a Prometheus server: a configuration error, fatal at start-up. */
export class NotPrometheusError extends Error {
  override readonly name = 'NotPrometheusError';
}

/** What probing the server found; `reachable: false` is worth retrying later. */
export type PrometheusProbe = { reachable: true; version: string } | { reachable: false; reason: string };

/**
 * Reads the mesh's standard Istio metrics (istio_requests_total and the buckets and sum of
 * istio_request_duration_milliseconds) through Prometheus' HTTP query API (`/api/v1/query`) and
 * reports what changed since the previous collection, attributed to the minute in which the
 * interval started. Configured with the server's base URL as users know it
 * (`http://prometheus.istio-system:9090`, or with a path prefix such as `http://host/prometheus`;
 * `user:password@` in the URL becomes HTTP basic authentication). A failed query reports nothing
 * and keeps the previous baseline, so the next good one covers the gap.
 */
export class PrometheusTelemetrySource implements TelemetrySource {
  private previous?: { scrape: IstioScrape; at: number };
  private readonly base: URL;
  private readonly headers: Record<string, string> = { accept: 'application/json' };

  constructor(
    baseUrl: string,
    private readonly logger: AgentLogger,
    private readonly get: HttpGet = httpGet,
  ) {
    const url = new URL(baseUrl);
    if (url.username || url.password) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      this.headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    url.search = '';
    url.hash = '';
    this.base = url;
  }

  /** The base URL without credentials, for messages. */
  get url(): string {
    return this.base.href;
  }

  /**
   * Asks `/api/v1/status/buildinfo`. Throws NotPrometheusError when the URL answers as something
   * else (an HTML page, 404, a refusal of credentials); an unreachable server is only reported.
   */
  async probe(): Promise<PrometheusProbe> {
    const endpoint = new URL('api/v1/status/buildinfo', this.base);
    let answer: HttpAnswer;
    try {
      answer = await this.get(endpoint, this.headers);
    } catch (error) {
      return { reachable: false, reason: describeFailure(error) };
    }
    if (answer.status >= 500) return { reachable: false, reason: `HTTP ${answer.status}` };
    const notPrometheus = (why: string): NotPrometheusError =>
      new NotPrometheusError(
        `${this.url} is not a Prometheus server: GET ${endpoint.href} ${why}; ` +
          'give the base URL of the Prometheus that scrapes the mesh, e.g. http://prometheus.istio-system:9090',
      );
    if (answer.status !== 200)
      throw notPrometheus(`answered HTTP ${answer.status}${contentTypeNote(answer)}`);
    try {
      return { reachable: true, version: parseBuildInfo(JSON.parse(answer.body)) };
    } catch (error) {
      throw notPrometheus(
        error instanceof SyntaxError
          ? `answered something other than JSON${contentTypeNote(answer)}`
          : `answered ${errorMessage(error)}`,
      );
    }
  }

  async collect(now: Date): Promise<TelemetryItem[]> {
    let scrape: IstioScrape;
    try {
      scrape = istioScrapeFromSamples(await this.query(ISTIO_SERIES_QUERY));
    } catch (error) {
      this.logger.warn(
        { url: this.url, err: errorMessage(error) },
        'querying Prometheus for Istio metrics failed',
      );
      return [];
    }
    const previous = this.previous;
    this.previous = { scrape, at: now.getTime() };
    if (!previous) return []; // the first query is only a baseline
    return istioTelemetryBetween(previous.scrape, scrape, minuteStart(previous.at));
  }

  private async query(promql: string) {
    const endpoint = new URL('api/v1/query', this.base);
    endpoint.searchParams.set('query', promql);
    let answer: HttpAnswer;
    try {
      answer = await this.get(endpoint, this.headers);
    } catch (error) {
      throw new Error(describeFailure(error));
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      throw new PrometheusAnswerError(
        `GET ${endpoint.pathname} answered HTTP ${answer.status}${contentTypeNote(answer)}, not JSON`,
      );
    }
    // Prometheus answers errors (400 bad query, 422, 503 …) with a JSON body saying why.
    return parseInstantVector(body);
  }
}

function contentTypeNote(answer: HttpAnswer): string {
  return answer.contentType ? ` (${answer.contentType.split(';')[0]})` : '';
}

/** fetch() hides the reason (ECONNREFUSED, ENOTFOUND …) in `cause`. */
function describeFailure(error: unknown): string {
  const cause = error instanceof Error ? (error as Error & { cause?: unknown }).cause : undefined;
  if (error instanceof Error && error.name === 'TimeoutError')
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return cause === undefined ? errorMessage(error) : `${errorMessage(error)}: ${errorMessage(cause)}`;
}
