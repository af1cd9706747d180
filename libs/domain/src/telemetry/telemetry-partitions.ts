/**
 * Time partitions of the telemetry tables: telemetry_minutes by UTC day, telemetry_hours by UTC
 * month (docs/telemetry.md "Storage"). Plain functions: the repository turns them into DDL.
 */

export type PartitionUnit = 'day' | 'month';

export interface PartitionRange {
  /** `<table>_pYYYYMMDD` (days) or `<table>_pYYYYMM` (months). */
  name: string;
  fromMs: number;
  toMs: number;
}

/** The partition of `table` that holds `atMs`. */
export function partitionOf(table: string, unit: PartitionUnit, atMs: number): PartitionRange {
  const at = new Date(atMs);
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  const yyyymm = `${String(year).padStart(4, '0')}${String(month + 1).padStart(2, '0')}`;
  if (unit === 'month') {
    return {
      name: `${table}_p${yyyymm}`,
      fromMs: Date.UTC(year, month, 1),
      toMs: Date.UTC(year, month + 1, 1),
    };
  }
  const day = at.getUTCDate();
  return {
    name: `${table}_p${yyyymm}${String(day).padStart(2, '0')}`,
    fromMs: Date.UTC(year, month, day),
    toMs: Date.UTC(year, month, day + 1),
  };
}

/** The partitions that together cover [fromMs, toMs), oldest first (none when the range is empty). */
export function partitionsCovering(
  table: string,
  unit: PartitionUnit,
  fromMs: number,
  toMs: number,
): PartitionRange[] {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) {
    throw new RangeError(`partition range must be finite, got ${fromMs}..${toMs}`);
  }
  const ranges: PartitionRange[] = [];
  for (let at = fromMs; at < toMs;) {
    const range = partitionOf(table, unit, at);
    ranges.push(range);
    at = range.toMs;
  }
  return ranges;
}
