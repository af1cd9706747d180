import { parseInstantVector } from '../telemetry/prometheus-api.schema';
import type { HttpGet } from '../telemetry/prometheus-telemetry.source';
import type { MeshMetricsApi } from './autoscaling-cluster.port';

const REQUEST_TIMEOUT_MS = 10_000;

const fetchGet: HttpGet = async (url, headers) => {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
};

/** Label values are quoted PromQL strings: backslashes and quotes escaped. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The inbound traffic of one service instance as its own sidecars report it. */
export function inboundSelector(service: string, namespace: string, extra = ''): string {
  return `reporter="destination",destination_service_name=${quote(service)},destination_service_namespace=${quote(namespace)}${extra}`;
}

export function requestsPerSecondQuery(service: string, namespace: string, range: number): string {
  return `sum(rate(istio_requests_total{${inboundSelector(service, namespace)}}[${range}s]))`;
}

export function errorRateQuery(service: string, namespace: string, range: number): string {
  const errors = `sum(rate(istio_requests_total{${inboundSelector(service, namespace, ',response_code=~"5.."')}}[${range}s]))`;
  return `100 * (${errors} or vector(0)) / ${requestsPerSecondQuery(service, namespace, range)}`;
}

export function latencyQuery(service: string, namespace: string, quantile: number, range: number): string {
  return `histogram_quantile(${quantile}, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${inboundSelector(service, namespace)}}[${range}s])))`;
}

/**
 * Reads request rate, error rate and latency of a service from the cluster's Prometheus with
 * instant queries (`/api/v1/query`). Rates are over `range` seconds, which must span at least two
 * scrapes of the sidecars. An empty answer or NaN (no traffic) is 0 for the rate and null otherwise.
 */
export class PrometheusMeshMetrics implements MeshMetricsApi {
  private readonly base: URL;
  private readonly headers: Record<string, string> = { accept: 'application/json' };

  constructor(
    baseUrl: string,
    private readonly get: HttpGet = fetchGet,
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

  async requestsPerSecond(service: string, namespace: string, range: number): Promise<number> {
    return (await this.scalar(requestsPerSecondQuery(service, namespace, range))) ?? 0;
  }

  errorRatePercent(service: string, namespace: string, range: number): Promise<number | null> {
    return this.scalar(errorRateQuery(service, namespace, range));
  }

  latencyMs(service: string, namespace: string, quantile: number, range: number): Promise<number | null> {
    return this.scalar(latencyQuery(service, namespace, quantile, range));
  }

  /** The single value of an instant query; null when empty or not a finite number. */
  private async scalar(query: string): Promise<number | null> {
    const url = new URL('api/v1/query', this.base);
    url.searchParams.set('query', query);
    const answer = await this.get(url, this.headers);
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      throw new Error(`Prometheus answered ${answer.status} with a body that is not JSON`);
    }
    const samples = parseInstantVector(body);
    const value = samples[0]?.value;
    return value === undefined || !Number.isFinite(value) ? null : value;
  }
}
