import { parse } from 'yaml';
import { minuteStart, MINUTE_MS } from '@lattice/domain';
import type { TelemetryItem } from '@lattice/proto';
import type { AgentLogger } from '../logger';
import type { SyntheticHistoryLedger } from './synthetic-history.store';
import {
  generateSyntheticHistory,
  generateSyntheticTraffic,
  type SyntheticEdge,
  syntheticHistoryStart,
  validateSyntheticTrafficConfig,
} from './synthetic-traffic.generator';
import type { TelemetrySource } from './telemetry-source.port';

export interface SyntheticTelemetryFile {
  seed: number;
  edges: SyntheticEdge[];
}

/**
 * Reads and validates a synthetic traffic file:
 * `{ seed?, edges: [{ source, destination, requestsPerSecond, errorRatio, latency, history? }] }`.
 */
export function parseSyntheticTelemetryFile(text: string, origin: string): SyntheticTelemetryFile {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new Error(`${origin}: not valid YAML: ${(error as Error).message}`);
  }
  const body = (raw ?? {}) as { seed?: unknown; edges?: unknown };
  const config = {
    seed: typeof body.seed === 'number' ? body.seed : 1,
    fromUnixMs: 0,
    toUnixMs: MINUTE_MS,
    edges: body.edges,
  };
  const problems = validateSyntheticTrafficConfig(config);
  if (problems.length > 0)
    throw new Error(`${origin}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return { seed: config.seed, edges: body.edges as SyntheticEdge[] };
}

/** Minutes of history generated between two yields to the event loop (about 10 ms per edge). */
const HISTORY_SLICE_MINUTES = 360;

export interface SyntheticTelemetrySourceOptions {
  /**
   * Where the agent remembers that it sent the file's history; required when an edge has one
   * (without it a restart would send the history again, and the controller would count it twice).
   */
  historyLedger?: SyntheticHistoryLedger;
  logger?: AgentLogger;
}

/**
 * Reports deterministic synthetic traffic, minute by minute: each call returns the minutes that
 * completed since the previous call (none is reported twice; the first call starts at the current
 * minute). When edges have a `history`, the first call of a state directory also returns that
 * history, ending at the current minute, and records it in the ledger first: at most once, so an
 * agent that crashes before the controller stored it does not send it again (the history is lost
 * rather than counted twice).
 */
export class SyntheticTelemetrySource implements TelemetrySource {
  private nextMinute?: number;

  private constructor(
    private readonly file: SyntheticTelemetryFile,
    private historyPending: boolean,
    private readonly options: SyntheticTelemetrySourceOptions,
  ) {}

  /** Reads the ledger now, so a broken one stops the agent at start-up instead of every collection. */
  static async open(
    file: SyntheticTelemetryFile,
    options: SyntheticTelemetrySourceOptions = {},
  ): Promise<SyntheticTelemetrySource> {
    const hasHistory = file.edges.some((edge) => edge.history !== undefined);
    const ledger = options.historyLedger;
    if (hasHistory && !ledger)
      throw new Error(
        'an edge has a history, which needs a ledger to be sent only once (the state directory)',
      );
    const sent = hasHistory && ledger ? await ledger.read() : undefined;
    if (sent)
      options.logger?.info(
        { ledger: ledger!.location, until: new Date(sent.untilUnixMs).toISOString(), sentAt: sent.sentAt },
        'synthetic history was sent before; not sending it again',
      );
    return new SyntheticTelemetrySource(file, hasHistory && !sent, options);
  }

  async collect(now: Date): Promise<TelemetryItem[]> {
    const current = minuteStart(now.getTime());
    if (this.historyPending) return this.collectHistory(current, now);
    const from = this.nextMinute ?? current;
    if (current <= from) {
      this.nextMinute = from;
      return [];
    }
    this.nextMinute = current;
    return generateSyntheticTraffic({
      seed: this.file.seed,
      fromUnixMs: from,
      toUnixMs: current,
      edges: this.file.edges,
    });
  }

  /**
   * The history up to the current minute, generated in slices with the event loop served in
   * between (heartbeats and acknowledgements wait at most a slice). Recorded before it is returned.
   */
  private async collectHistory(current: number, now: Date): Promise<TelemetryItem[]> {
    const items: TelemetryItem[] = [];
    const start = syntheticHistoryStart(this.file.edges, current);
    for (let from = start; from < current; from += HISTORY_SLICE_MINUTES * MINUTE_MS) {
      items.push(
        ...generateSyntheticHistory({
          seed: this.file.seed,
          edges: this.file.edges,
          untilUnixMs: current,
          fromUnixMs: from,
          toUnixMs: Math.min(current, from + HISTORY_SLICE_MINUTES * MINUTE_MS),
        }),
      );
      await new Promise((resolve) => setImmediate(resolve));
    }
    // A failed write throws before anything is reported: the next collection tries again.
    await this.options.historyLedger!.write({
      untilUnixMs: current,
      items: items.length,
      sentAt: now.toISOString(),
    });
    this.historyPending = false;
    this.nextMinute = current;
    this.options.logger?.info(
      {
        items: items.length,
        from: new Date(start).toISOString(),
        until: new Date(current).toISOString(),
      },
      'reporting the synthetic history of the traffic file',
    );
    return items;
  }
}
