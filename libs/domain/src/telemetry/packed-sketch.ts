import { DEFAULT_MAX_BUCKETS, InvalidSketchError, keyRangeOf, type SketchJSON } from './ddsketch';

/**
 * The packed form of a latency sketch: what agents send (TelemetryItem.latency_packed) and what the
 * controller stores (the `sketch` bytea column of telemetry_minutes and telemetry_hours), so the
 * ingest checks the bytes and writes them as they came, with no object per bucket. A fixed 45-byte
 * header, then the bucket counts as unsigned LEB128 varints:
 *
 *   byte 0      format version (1)
 *   bytes 1–8   relativeAccuracy, float8 big-endian
 *   bytes 9–12  offset (bucket key of counts[0]; 0 when there are no counts), int4 big-endian
 *   bytes 13–20 zeroCount, int8 big-endian
 *   bytes 21–44 min, max, sum, float8 big-endian (0 for an empty sketch)
 *   bytes 45–   counts[0], counts[1], … (their number is implied by the length)
 *
 * Why not JSONB or protobuf's LatencySketch: PostgreSQL parses every number of a JSONB value into a
 * `numeric` (a COPY of minute rows ran 7× faster into bytea than into jsonb), and protobufjs decodes
 * each uint64 count through a Long (most of the controller's ingest CPU). Big-endian fixed-width
 * fields are what `float8send`/`int4send`/`int8send` produce, so the migration that converted the
 * JSONB rows could build this form in SQL.
 */
export const PACKED_SKETCH_VERSION = 1;
export const PACKED_SKETCH_HEADER_BYTES = 45;
/** A count needs at most 8 varint bytes (counts are safe integers, < 2^53). */
const MAX_VARINT_BYTES = 8;

/** A reusable scratch buffer for packing, grown when a sketch needs more. */
let scratch = Buffer.alloc(PACKED_SKETCH_HEADER_BYTES + 256 * 2);

/**
 * Packs a valid sketch (see parseSketchJson: counts and zeroCount safe non-negative integers; the
 * offset of a sketch with counts is a bucket key, well inside an int4).
 */
export function packSketch(sketch: SketchJSON): Buffer {
  const counts = sketch.counts;
  const needed = PACKED_SKETCH_HEADER_BYTES + counts.length * MAX_VARINT_BYTES;
  if (scratch.length < needed) scratch = Buffer.alloc(needed * 2);
  const buffer = scratch;
  buffer[0] = PACKED_SKETCH_VERSION;
  buffer.writeDoubleBE(sketch.relativeAccuracy, 1);
  buffer.writeInt32BE(counts.length === 0 ? 0 : sketch.offset, 9);
  buffer.writeBigInt64BE(BigInt(sketch.zeroCount), 13);
  let total = sketch.zeroCount;
  let at = PACKED_SKETCH_HEADER_BYTES;
  for (let index = 0; index < counts.length; index++) {
    let value = counts[index]!;
    total += value;
    // Division, not shifts: JavaScript's bit operators are 32-bit.
    while (value >= 0x80) {
      buffer[at++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    buffer[at++] = value;
  }
  const empty = total === 0;
  buffer.writeDoubleBE(empty ? 0 : sketch.min, 21);
  buffer.writeDoubleBE(empty ? 0 : sketch.max, 29);
  buffer.writeDoubleBE(empty ? 0 : sketch.sum, 37);
  return Buffer.from(buffer.subarray(0, at));
}

/**
 * Checks a packed sketch from an untrusted agent as parseSketchJson checks the JSON form (same
 * rules, InvalidSketchError naming the problem), without building the counts: the ingest then
 * stores the bytes as they are. An empty sketch must be canonical (min, max and sum 0), so that
 * equal sketches are equal bytes.
 */
export function checkPackedSketch(
  bytes: Uint8Array,
  maxBuckets = DEFAULT_MAX_BUCKETS,
): { relativeAccuracy: number } {
  const header = readHeader(bytes);
  const { relativeAccuracy, offset, zeroCount, min, max, sum } = header;
  if (!Number.isFinite(relativeAccuracy) || relativeAccuracy <= 0 || relativeAccuracy >= 1) {
    throw new InvalidSketchError(`relativeAccuracy must be in (0, 1), got ${relativeAccuracy}`);
  }
  let total = zeroCount;
  let buckets = 0;
  const length = bytes.length;
  let at = PACKED_SKETCH_HEADER_BYTES;
  while (at < length) {
    const first = bytes[at]!;
    // Most buckets of a minute hold fewer than 128 values: a one-byte count.
    if (first < 0x80) {
      total += first;
      at++;
    } else {
      const count = readVarint(bytes, at);
      total += count.value;
      at = count.next;
    }
    buckets++;
  }
  if (buckets > maxBuckets) {
    throw new InvalidSketchError(`counts has ${buckets} buckets, more than the limit of ${maxBuckets}`);
  }
  if (!Number.isSafeInteger(total)) throw new InvalidSketchError('total count is too large');
  if (buckets === 0 && offset !== 0) {
    throw new InvalidSketchError(`offset must be 0 when there are no counts, got ${offset}`);
  }
  const { minKey, maxKey } = keyRangeOf(relativeAccuracy);
  if (buckets > 0 && (offset < minKey || offset + buckets - 1 > maxKey)) {
    throw new InvalidSketchError(
      `bucket indexes ${offset}..${offset + buckets - 1} are outside the representable range ${minKey}..${maxKey}`,
    );
  }
  for (const [name, value] of [
    ['min', min],
    ['max', max],
    ['sum', sum],
  ] as const) {
    if (!Number.isFinite(value))
      throw new InvalidSketchError(`${name} must be a finite number, got ${value}`);
  }
  if (total > 0) {
    if (min < 0 || max < min)
      throw new InvalidSketchError(`min and max must satisfy 0 <= min <= max, got ${min} and ${max}`);
    if (sum < 0) throw new InvalidSketchError(`sum must be >= 0, got ${sum}`);
  } else if (min !== 0 || max !== 0 || sum !== 0) {
    throw new InvalidSketchError(
      `an empty sketch must have min, max and sum 0, got ${min}, ${max} and ${sum}`,
    );
  }
  return { relativeAccuracy };
}

/**
 * Reads a packed sketch back into the JSON form merges take. Stored sketches were checked on the
 * way in, so anything malformed here means a damaged row: InvalidSketchError, never a guess.
 */
export function unpackSketch(bytes: Uint8Array): SketchJSON {
  const header = readHeader(bytes);
  const counts: number[] = [];
  let at = PACKED_SKETCH_HEADER_BYTES;
  while (at < bytes.length) {
    const count = readVarint(bytes, at);
    counts.push(count.value);
    at = count.next;
  }
  return {
    relativeAccuracy: header.relativeAccuracy,
    offset: header.offset,
    counts,
    zeroCount: header.zeroCount,
    min: header.min,
    max: header.max,
    sum: header.sum,
  };
}

/**
 * The packed sketches of a group as queries aggregate them: `string_agg(encode(sketch, 'hex'), ',')`
 * (hex in one text value: Prisma's raw queries would turn a bytea[] into arrays of numbers).
 */
export function unpackSketchHexList(hexList: unknown): SketchJSON[] {
  if (typeof hexList !== 'string') {
    throw new InvalidSketchError(`stored sketch list is a ${typeof hexList}, expected hex text`);
  }
  return hexList.split(',').map((hex) => {
    if (!/^(?:[0-9a-f]{2})+$/.test(hex)) {
      throw new InvalidSketchError('stored sketch list holds a value that is not hex');
    }
    return unpackSketch(Buffer.from(hex, 'hex'));
  });
}

interface PackedHeader {
  relativeAccuracy: number;
  offset: number;
  zeroCount: number;
  min: number;
  max: number;
  sum: number;
}

function readHeader(bytes: Uint8Array): PackedHeader {
  if (bytes.length < PACKED_SKETCH_HEADER_BYTES) {
    throw new InvalidSketchError(
      `packed sketch has ${bytes.length} bytes, fewer than its ${PACKED_SKETCH_HEADER_BYTES}-byte header`,
    );
  }
  if (bytes[0] !== PACKED_SKETCH_VERSION) {
    throw new InvalidSketchError(
      `packed sketch has format version ${bytes[0]}, expected ${PACKED_SKETCH_VERSION}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const zeroCount = view.getBigInt64(13);
  if (zeroCount < 0n || zeroCount > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidSketchError(`zeroCount must be a non-negative safe integer, got ${zeroCount}`);
  }
  return {
    relativeAccuracy: view.getFloat64(1),
    offset: view.getInt32(9),
    zeroCount: Number(zeroCount),
    min: view.getFloat64(21),
    max: view.getFloat64(29),
    sum: view.getFloat64(37),
  };
}

/** One unsigned varint at `at`: at most 8 bytes, a safe integer. */
function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let length = 1; length <= MAX_VARINT_BYTES; length++) {
    const byte = bytes[at + length - 1];
    if (byte === undefined) throw new InvalidSketchError(`packed sketch ends inside a count at byte ${at}`);
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (!Number.isSafeInteger(value)) throw new InvalidSketchError(`count at byte ${at} is too large`);
      return { value, next: at + length };
    }
    scale *= 0x80;
  }
  throw new InvalidSketchError(`count at byte ${at} is longer than ${MAX_VARINT_BYTES} bytes`);
}
