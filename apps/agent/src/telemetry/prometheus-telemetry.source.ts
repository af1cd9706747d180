import { minuteStart } from '@lattice/domain';
import type { TelemetryItem } from '@lattice/proto';
import type { AgentLogger } from '../logger';
import { istioTelemetryBetween, type IstioScrape, parseIstioScrape } from './prometheus-istio.mapping';
import type { TelemetrySource } from './telemetry-source.port';

export type FetchText = (url: string) => Promise<string>;

const fetchText: FetchText = async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
};

/**
 * Scrapes the mesh's standard Istio metrics (istio_requests_total,
 * istio_request_duration_milliseconds) and reports what changed since the previous scrape,
 * attributed to the minute in which the interval started. A failed scrape reports nothing and
 * keeps the previous baseline, so the next good scrape covers the gap.
 */
export class PrometheusTelemetrySource implements TelemetrySource {
  private previous?: { scrape: IstioScrape; at: number };

  constructor(
    private readonly url: string,
    private readonly logger: AgentLogger,
    private readonly fetch: FetchText = fetchText,
  ) {}

  async collect(now: Date): Promise<TelemetryItem[]> {
    let scrape: IstioScrape;
    try {
      scrape = parseIstioScrape(await this.fetch(this.url));
    } catch (error) {
      this.logger.warn({ url: this.url, err: (error as Error).message }, 'scraping Istio metrics failed');
      return [];
    }
    const previous = this.previous;
    this.previous = { scrape, at: now.getTime() };
    if (!previous) return []; // the first scrape is only a baseline
    return istioTelemetryBetween(previous.scrape, scrape, minuteStart(previous.at));
  }
}
