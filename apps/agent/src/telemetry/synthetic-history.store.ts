import path from 'node:path';
import { z } from 'zod';
import { ensurePrivateDirectory, readFileIfExists, writeFileAtomic } from '../state/atomic-write.util';

/** The synthetic history an agent has handed to its telemetry sender. */
export interface SyntheticHistoryRecord {
  /** The minute the history ended at (exclusive): live minutes are reported from there on. */
  untilUnixMs: number;
  items: number;
  /** ISO time of the collection that sent it. */
  sentAt: string;
}

/**
 * Remembers that the history was sent, so an agent sends it once per state directory. The
 * controller dedupes telemetry by batch id only and adds rows that share a minute, so history sent
 * again after a restart (new batch ids, a later end that overlaps minutes already reported live)
 * would count twice.
 */
export interface SyntheticHistoryLedger {
  /** Shown in messages (the file, or a description of the ledger). */
  readonly location: string;
  read(): Promise<SyntheticHistoryRecord | undefined>;
  write(record: SyntheticHistoryRecord): Promise<void>;
}

export const SYNTHETIC_HISTORY_FILE = 'synthetic-history.json';

const recordSchema = z.object({
  untilUnixMs: z.number().int(),
  items: z.number().int().nonnegative(),
  sentAt: z.string(),
});

/** The ledger as `synthetic-history.json` in the agent's state directory (written atomically, 0600). */
export class SyntheticHistoryStore implements SyntheticHistoryLedger {
  readonly location: string;

  constructor(private readonly stateDirectory: string) {
    this.location = path.join(stateDirectory, SYNTHETIC_HISTORY_FILE);
  }

  async read(): Promise<SyntheticHistoryRecord | undefined> {
    const text = await readFileIfExists(this.location);
    if (text === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = recordSchema.safeParse(json);
    if (!parsed.success) {
      throw new Error(
        `${this.location} is not a synthetic history record (untilUnixMs, items, sentAt); ` +
          'remove it only if the history was never stored by the controller, or it counts twice',
      );
    }
    return parsed.data;
  }

  async write(record: SyntheticHistoryRecord): Promise<void> {
    await ensurePrivateDirectory(this.stateDirectory);
    await writeFileAtomic(this.location, `${JSON.stringify(record, null, 2)}\n`);
  }
}
