import { generateSyntheticTraffic, type SyntheticEdge, type TelemetrySource } from '@lattice/agent';
import { MINUTE_MS, minuteStart } from '@lattice/domain';
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
      /**
       * When set, only this many distinct minutes are ever generated (cached per minute of the
       * cycle) and replayed with their timestamps moved, so a load generator spends its CPU on
       * sending rather than on sampling latencies. The controller sees the same rows per report.
       */
      templateMinutes?: number;
    },
  ) {}

  private readonly templates = new Map<number, TelemetryItem[]>();

  async collect(now: Date): Promise<TelemetryItem[]> {
    const current = minuteStart(now.getTime());
    const { minutesPerReport, backfillMinutes } = this.options;
    const replaying = minutesPerReport > 0;
    this.nextMinute ??= replaying ? current - backfillMinutes * MINUTE_MS : current;
    const from = this.nextMinute;
    const until = replaying ? Math.min(current, from + minutesPerReport * MINUTE_MS) : current;
    if (until <= from) return [];
    this.nextMinute = until;
    if (this.options.templateMinutes) {
      const items: TelemetryItem[] = [];
      for (let minute = from; minute < until; minute += MINUTE_MS) {
        for (const item of this.template(minute, this.options.templateMinutes))
          items.push({ ...item, minuteUnixMs: minute });
      }
      return items;
    }
    return generateSyntheticTraffic({
      seed: this.options.seed,
      fromUnixMs: from,
      toUnixMs: until,
      edges: this.options.edges,
    });
  }

  /** The generated (sorted) items of the cycle minute that stands in for `minute`. */
  private template(minute: number, cycleMinutes: number): TelemetryItem[] {
    const position = Math.floor(minute / MINUTE_MS) % cycleMinutes;
    let items = this.templates.get(position);
    if (!items) {
      // Any fixed minute per position will do: the minute only seeds the random numbers.
      const templateMinute = position * MINUTE_MS;
      items = generateSyntheticTraffic({
        seed: this.options.seed,
        fromUnixMs: templateMinute,
        toUnixMs: templateMinute + MINUTE_MS,
        edges: this.options.edges,
      });
      this.templates.set(position, items);
    }
    return items;
  }
}
