import type { TelemetrySource } from '@lattice/agent';
import { generateSyntheticTraffic, MINUTE_MS, minuteStart, type SyntheticEdge } from '@lattice/domain';
import type { TelemetryItem } from '@lattice/proto';

/**
 * Synthetic traffic for a simulated agent. In real time (`minutesPerReport` 0) it behaves like the
 * agent's own synthetic source: each call reports the minutes completed since the last one. For
 * load tests it replays history instead: starting `backfillMinutes` ago, each call reports the next
 * `minutesPerReport` minutes (never a minute that has not ended), so an agent sends as many rows
 * per report as it would in that many real minutes.
 */
export class ReplayTelemetrySource implements TelemetrySource {
  private nextMinute: number | undefined;

  constructor(
    private readonly options: {
      seed: number;
      edges: SyntheticEdge[];
      minutesPerReport: number;
      backfillMinutes: number;
    },
  ) {}

  async collect(now: Date): Promise<TelemetryItem[]> {
    const current = minuteStart(now.getTime());
    const { minutesPerReport, backfillMinutes } = this.options;
    const replaying = minutesPerReport > 0;
    this.nextMinute ??= replaying ? current - backfillMinutes * MINUTE_MS : current;
    const from = this.nextMinute;
    const until = replaying ? Math.min(current, from + minutesPerReport * MINUTE_MS) : current;
    if (until <= from) return [];
    this.nextMinute = until;
    return generateSyntheticTraffic({
      seed: this.options.seed,
      fromUnixMs: from,
      toUnixMs: until,
      edges: this.options.edges,
    });
  }
}
