import { parse } from 'yaml';
import { minuteStart, MINUTE_MS } from '@lattice/domain';
import type { TelemetryItem } from '@lattice/proto';
import {
  generateSyntheticTraffic,
  type SyntheticEdge,
  validateSyntheticTrafficConfig,
} from './synthetic-traffic.generator';
import type { TelemetrySource } from './telemetry-source.port';

export interface SyntheticTelemetryFile {
  seed: number;
  edges: SyntheticEdge[];
}

/** Reads and validates a synthetic traffic file: `{ seed?, edges: [{ source, destination, requestsPerSecond, errorRatio, latency }] }`. */
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

/**
 * Reports deterministic synthetic traffic, minute by minute: each call returns the minutes that
 * completed since the previous call (none is reported twice; the first call starts at the current
 * minute, so nothing is back-filled).
 */
export class SyntheticTelemetrySource implements TelemetrySource {
  private nextMinute?: number;

  constructor(private readonly file: SyntheticTelemetryFile) {}

  async collect(now: Date): Promise<TelemetryItem[]> {
    const current = minuteStart(now.getTime());
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
}
