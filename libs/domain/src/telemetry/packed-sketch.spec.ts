import { SeededRandom } from '@lattice/platform';
import { DDSketch, InvalidSketchError, type SketchJSON } from './ddsketch';
import { checkPackedSketch, packSketch, unpackSketch, unpackSketchHexList } from './packed-sketch';

const random = new SeededRandom(11);

function randomSketch(values: number): SketchJSON {
  const sketch = new DDSketch();
  for (let index = 0; index < values; index++) {
    sketch.add(random.next() < 0.03 ? 0 : Math.exp(Math.log(30) + 1.5 * random.normal()));
  }
  return sketch.toJSON();
}

const example: SketchJSON = {
  relativeAccuracy: 0.01,
  offset: -35,
  counts: [1, 0, 300, 20_000, 5],
  zeroCount: 3,
  min: 0.5,
  max: 192.66252530893158,
  sum: 5327.172398272702,
};

/** A packed sketch with one header field (at its byte offset) replaced. */
function withHeader(sketch: SketchJSON, write: (bytes: Buffer) => void): Buffer {
  const bytes = packSketch(sketch);
  write(bytes);
  return bytes;
}

describe('packed sketch form', () => {
  it('round-trips sketches exactly, from empty to wide, and each passes the check', () => {
    for (const values of [0, 1, 2, 50, 1_000, 20_000]) {
      const sketch = randomSketch(values);
      const packed = packSketch(sketch);
      expect(unpackSketch(packed)).toEqual(sketch);
      expect(() => checkPackedSketch(packed)).not.toThrow();
    }
  });

  it('packs a sketch wider than any before it (the scratch buffer grows)', () => {
    const wide: SketchJSON = {
      relativeAccuracy: 0.01,
      offset: -600,
      counts: Array.from({ length: 2_048 }, (_, index) => index * 1_000),
      zeroCount: 0,
      min: 0.001,
      max: 1e9,
      sum: 1e12,
    };
    expect(unpackSketch(packSketch(wide))).toEqual(wide);
  });

  it('keeps counts up to 2^53 - 1 and negative offsets, in the byte layout the migration writes', () => {
    const sketch = { ...example, counts: [1, 0, 300, 20_000, Number.MAX_SAFE_INTEGER, 5] };
    // Built by the migration's SQL function from the same sketch as JSONB (PostgreSQL 15).
    const fromSql =
      '013f847ae147ae147bffffffdd00000000000000033fe0000000000000406815336846d44540b4cf2c224b0f24' +
      '0100ac02a09c01ffffffffffffff0f05';
    expect(packSketch(sketch).toString('hex')).toBe(fromSql);
    expect(unpackSketch(Buffer.from(fromSql, 'hex'))).toEqual(sketch);
  });

  it('packs an empty sketch canonically: offset, min, max and sum 0', () => {
    const empty: SketchJSON = {
      relativeAccuracy: 0.01,
      offset: 1e12,
      counts: [],
      zeroCount: 0,
      min: 0,
      max: 0,
      sum: 0,
    };
    expect(unpackSketch(packSketch(empty))).toEqual({ ...empty, offset: 0 });
    const zeros = { ...empty, offset: 4, counts: [0, 0], min: 3, max: 4, sum: 5 };
    expect(unpackSketch(packSketch(zeros))).toEqual({ ...zeros, min: 0, max: 0, sum: 0 });
    expect(() => checkPackedSketch(packSketch(zeros))).not.toThrow();
  });

  it('unpacks a group of stored sketches from its hex list, as merges take them', () => {
    const sketches = [randomSketch(10), randomSketch(300)];
    const list = sketches.map((sketch) => packSketch(sketch).toString('hex')).join(',');
    expect(unpackSketchHexList(list)).toEqual(sketches);
    const shared = Buffer.concat([Buffer.from([9, 9, 9]), packSketch(sketches[1]!)]);
    expect(unpackSketch(shared.subarray(3))).toEqual(sketches[1]);
    const merged = new DDSketch().mergeJSONList(unpackSketchHexList(list));
    const expected = new DDSketch()
      .merge(DDSketch.fromJSON(sketches[0]))
      .merge(DDSketch.fromJSON(sketches[1]));
    expect(merged.toJSON()).toEqual(expected.toJSON());
  });

  it('refuses damaged stored bytes instead of guessing', () => {
    const good = packSketch(randomSketch(100));
    expect(() => unpackSketch(good.subarray(0, 20))).toThrow(/fewer than its 45-byte header/);
    const otherVersion = Buffer.from(good);
    otherVersion[0] = 2;
    expect(() => unpackSketch(otherVersion)).toThrow(/format version 2/);
    expect(() => unpackSketch(Buffer.concat([good, Buffer.from([0x80])]))).toThrow(/ends inside a count/);
    expect(() => unpackSketch(Buffer.concat([good, Buffer.alloc(9, 0xff)]))).toThrow(/longer than 8 bytes/);
    expect(() => unpackSketchHexList(null)).toThrow(/expected hex text/);
    expect(() => unpackSketchHexList(`${good.toString('hex')},{}`)).toThrow(/not hex/);
    expect(() => unpackSketchHexList(`${good.toString('hex')}0`)).toThrow(/not hex/);
  });

  it.each([
    ['a short header', Buffer.from([1, 2, 3]), /fewer than its 45-byte header/],
    [
      'another accuracy range',
      withHeader(example, (b) => b.writeDoubleBE(1.5, 1)),
      /relativeAccuracy must be in \(0, 1\)/,
    ],
    [
      'a negative zeroCount',
      withHeader(example, (b) => b.writeBigInt64BE(-1n, 13)),
      /zeroCount must be a non-negative/,
    ],
    [
      'an offset out of range',
      withHeader(example, (b) => b.writeInt32BE(2_000_000, 9)),
      /outside the representable range/,
    ],
    ['min above max', withHeader(example, (b) => b.writeDoubleBE(500, 21)), /0 <= min <= max/],
    ['a NaN sum', withHeader(example, (b) => b.writeDoubleBE(Number.NaN, 37)), /sum must be a finite number/],
    ['a negative sum', withHeader(example, (b) => b.writeDoubleBE(-1, 37)), /sum must be >= 0/],
    [
      'an empty sketch with a max',
      withHeader({ ...example, counts: [], zeroCount: 0 }, (b) => b.writeDoubleBE(3, 29)),
      /empty sketch must have min, max and sum 0/,
    ],
    [
      'an empty sketch with an offset',
      withHeader({ ...example, counts: [], zeroCount: 0 }, (b) => b.writeInt32BE(7, 9)),
      /offset must be 0 when there are no counts/,
    ],
    [
      'a count past 2^53',
      Buffer.concat([
        packSketch({ ...example, counts: [] }),
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
      ]),
      /too large/,
    ],
    [
      'a total past 2^53',
      packSketch({ ...example, counts: [Number.MAX_SAFE_INTEGER, 1] }),
      /total count is too large/,
    ],
    [
      'too many buckets',
      packSketch({ ...example, counts: new Array<number>(2_049).fill(1) }),
      /2049 buckets, more than the limit of 2048/,
    ],
  ])('refuses an agent packed sketch with %s', (_name, bytes, message) => {
    expect(() => checkPackedSketch(bytes)).toThrow(InvalidSketchError);
    expect(() => checkPackedSketch(bytes)).toThrow(message);
  });
});
