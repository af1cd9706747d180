import {
  DDSketch,
  IncompatibleSketchError,
  InvalidSketchError,
  parseSketchJson,
  type SketchJSON,
} from './ddsketch';
import { SeededRandom } from '@lattice/platform';

/** The element of rank floor(q·(n−1)) — the quantile DDSketch guarantees to approximate. */
function exactLowerQuantile(sortedValues: number[], q: number): number {
  return sortedValues[Math.floor(q * (sortedValues.length - 1))];
}

function sketchOf(values: number[]): DDSketch {
  const sketch = new DDSketch();
  for (const value of values) sketch.add(value);
  return sketch;
}

const random = new SeededRandom(42);
const distributions: Record<string, () => number> = {
  lognormal: () => Math.exp(Math.log(40) + 0.9 * random.normal()),
  pareto: () => 5 / Math.pow(1 - random.next(), 1 / 1.3),
  bimodal: () => (random.next() < 0.7 ? 2 + random.normal() * 0.2 : 300 + random.normal() * 40),
};

describe('DDSketch', () => {
  describe.each(Object.keys(distributions))('on a %s distribution', (name) => {
    const values = Array.from({ length: 50_000 }, distributions[name]).map((value) => Math.max(value, 0.01));
    const sorted = [...values].sort((a, b) => a - b);
    const sketch = sketchOf(values);

    it.each([0.5, 0.9, 0.99])('estimates quantile %p within 1 %% relative error', (q) => {
      const exact = exactLowerQuantile(sorted, q);
      const estimate = sketch.quantile(q) as number;
      expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(0.01 + 1e-12);
    });

    it('keeps exact count, sum, min and max', () => {
      expect(sketch.count).toBe(values.length);
      expect(sketch.sum).toBeCloseTo(
        values.reduce((total, value) => total + value, 0),
        6,
      );
      expect(sketch.min).toBe(sorted[0]);
      expect(sketch.max).toBe(sorted[sorted.length - 1]);
      expect(sketch.quantile(0)).toBe(sorted[0]);
      expect(sketch.quantile(1)).toBe(sorted[sorted.length - 1]);
    });
  });

  it('returns null quantiles, min and max when empty', () => {
    const sketch = new DDSketch();
    expect(sketch.quantile(0.5)).toBeNull();
    expect(sketch.min).toBeNull();
    expect(sketch.max).toBeNull();
    expect(sketch.count).toBe(0);
    expect(sketch.toJSON()).toEqual({
      relativeAccuracy: 0.01,
      offset: 0,
      counts: [],
      zeroCount: 0,
      min: 0,
      max: 0,
      sum: 0,
    });
  });

  it('puts zero and tiny values in the zero bucket', () => {
    const sketch = new DDSketch().add(0, 3).add(1e-9).add(10, 2);
    expect(sketch.toJSON().zeroCount).toBe(4);
    expect(sketch.quantile(0.5)).toBe(0);
    expect(Math.abs((sketch.quantile(0.9) as number) - 10)).toBeLessThanOrEqual(0.1);
  });

  it('places values in buckets (gamma^(i-1), gamma^i] with counts[0] at offset', () => {
    const gamma = 1.01 / 0.99;
    const json = new DDSketch()
      .add(1)
      .add(gamma * 1.0001)
      .add(gamma * gamma)
      .toJSON();
    // 1 = gamma^0 is in bucket 0; just above gamma is in bucket 2; gamma^2 is the top of bucket 2.
    expect(json.offset).toBe(0);
    expect(json.counts).toEqual([1, 0, 2]);
  });

  it('counts values at or below a threshold', () => {
    const sketch = sketchOf([1, 2, 3, 50, 100, 200]);
    expect(sketch.countAtOrBelow(0.5)).toBe(0);
    expect(sketch.countAtOrBelow(3)).toBe(3);
    expect(sketch.countAtOrBelow(75)).toBe(4);
    expect(sketch.countAtOrBelow(1000)).toBe(6);
  });

  it('rejects negative values, non-integer counts and quantiles outside [0, 1]', () => {
    const sketch = new DDSketch();
    expect(() => sketch.add(-1)).toThrow(RangeError);
    expect(() => sketch.add(Number.NaN)).toThrow(RangeError);
    expect(() => sketch.add(1, 1.5)).toThrow(RangeError);
    expect(() => sketch.quantile(1.1)).toThrow(RangeError);
    expect(sketch.count).toBe(0);
  });

  it('collapses the lowest buckets beyond maxBuckets and keeps high quantiles accurate', () => {
    const sketch = new DDSketch({ maxBuckets: 100 });
    const values = Array.from({ length: 1000 }, (_, index) => Math.pow(1.05, index - 500));
    for (const value of values) sketch.add(value);
    const json = sketch.toJSON();
    expect(json.counts.length).toBeLessThanOrEqual(100);
    expect(json.counts.reduce((total, count) => total + count, 0) + json.zeroCount).toBe(1000);
    const exact = exactLowerQuantile(values, 0.99);
    expect(Math.abs((sketch.quantile(0.99) as number) - exact) / exact).toBeLessThanOrEqual(0.01 + 1e-12);
  });

  it('gives the same buckets whatever order values arrive in, also when collapsing', () => {
    const values = Array.from({ length: 600 }, (_, index) => Math.pow(1.03, index - 300));
    const ascending = new DDSketch({ maxBuckets: 100 });
    const descending = new DDSketch({ maxBuckets: 100 });
    values.forEach((value) => ascending.add(value));
    [...values].reverse().forEach((value) => descending.add(value));
    expect(descending.toJSON().counts).toEqual(ascending.toJSON().counts);
    expect(descending.toJSON().offset).toBe(ascending.toJSON().offset);
    expect(descending.quantile(0.5)).toBe(ascending.quantile(0.5));
  });

  describe('merge', () => {
    const mergeRandom = new SeededRandom(7);
    const partA = Array.from({ length: 3000 }, () => Math.exp(3 + mergeRandom.normal()));
    const partB = Array.from({ length: 2000 }, () => 0.2 + mergeRandom.exponential(0.5));
    const partC = [0, 0, 1e5, ...Array.from({ length: 1000 }, () => 1000 * mergeRandom.next())];
    const quantiles = [0.01, 0.25, 0.5, 0.9, 0.99, 0.999];
    const summary = (sketch: DDSketch): unknown => ({
      count: sketch.count,
      min: sketch.min,
      max: sketch.max,
      counts: sketch.toJSON().counts,
      zeroCount: sketch.toJSON().zeroCount,
      quantiles: quantiles.map((q) => sketch.quantile(q)),
    });

    it('is associative and commutative', () => {
      const leftFirst = sketchOf(partA).merge(sketchOf(partB)).merge(sketchOf(partC));
      const rightFirst = sketchOf(partA).merge(sketchOf(partB).merge(sketchOf(partC)));
      const reversed = sketchOf(partC).merge(sketchOf(partB)).merge(sketchOf(partA));
      expect(summary(rightFirst)).toEqual(summary(leftFirst));
      expect(summary(reversed)).toEqual(summary(leftFirst));
      expect(rightFirst.sum).toBeCloseTo(leftFirst.sum, 6);
    });

    it('equals adding every value into one sketch', () => {
      const merged = sketchOf(partA).merge(sketchOf(partB)).merge(sketchOf(partC));
      const single = sketchOf([...partA, ...partB, ...partC]);
      expect(summary(merged)).toEqual(summary(single));
    });

    it('stays associative when the merged range needs collapsing', () => {
      const options = { maxBuckets: 64 };
      const build = (values: number[]): DDSketch => {
        const sketch = new DDSketch(options);
        for (const value of values) sketch.add(value);
        return sketch;
      };
      const low = [0.001, 0.002, 0.01];
      const middle = [1, 2, 3];
      const high = [500, 1000];
      const leftFirst = build(low).merge(build(middle)).merge(build(high));
      const rightFirst = build(low).merge(build(middle).merge(build(high)));
      const single = build([...low, ...middle, ...high]);
      expect(summary(rightFirst)).toEqual(summary(leftFirst));
      expect(summary(single)).toEqual(summary(leftFirst));
    });

    it('refuses sketches of a different relative accuracy', () => {
      const coarse = new DDSketch({ relativeAccuracy: 0.02 }).add(5);
      expect(() => new DDSketch().merge(coarse)).toThrow(IncompatibleSketchError);
      expect(() => new DDSketch().merge(coarse)).toThrow(/different relative accuracy \(0\.01 and 0\.02\)/);
    });

    it('leaves the other sketch unchanged', () => {
      const other = sketchOf([1, 2, 3]);
      const before = other.toJSON();
      sketchOf([10]).merge(other);
      expect(other.toJSON()).toEqual(before);
    });
  });

  describe('JSON', () => {
    it('round-trips', () => {
      const sketch = sketchOf([0, 0.5, 1, 7, 7, 7, 120, 4000]);
      const json = sketch.toJSON();
      const restored = DDSketch.fromJSON(JSON.parse(JSON.stringify(json)));
      expect(restored.toJSON()).toEqual(json);
      expect(restored.quantile(0.5)).toBe(sketch.quantile(0.5));
      expect(restored.count).toBe(8);
    });

    it('round-trips an empty sketch', () => {
      expect(DDSketch.fromJSON(new DDSketch().toJSON()).isEmpty).toBe(true);
    });

    const valid: SketchJSON = sketchOf([1, 2, 3]).toJSON();
    it.each<[string, unknown, RegExp]>([
      ['not an object', 'sketch', /expected an object/],
      ['null', null, /expected an object/],
      ['a missing field', { ...valid, sum: undefined }, /sum must be a finite number/],
      ['an infinite value', { ...valid, max: Number.POSITIVE_INFINITY }, /max must be a finite number/],
      ['a string count', { ...valid, counts: ['1'] }, /counts\[0\] must be a number/],
      ['a negative count', { ...valid, counts: [1, -1] }, /counts\[1\] must be a non-negative integer/],
      ['a fractional count', { ...valid, zeroCount: 0.5 }, /zeroCount must be a non-negative integer/],
      ['a fractional offset', { ...valid, offset: 1.5 }, /offset must be an integer/],
      ['an accuracy of 1', { ...valid, relativeAccuracy: 1 }, /relativeAccuracy must be in \(0, 1\)/],
      [
        'too many buckets',
        { ...valid, counts: new Array<number>(2049).fill(1) },
        /more than the limit of 2048/,
      ],
      ['an absurd offset', { ...valid, offset: 1e9 }, /outside the representable range/],
      ['min above max', { ...valid, min: 5, max: 1 }, /0 <= min <= max/],
      ['a negative sum', { ...valid, sum: -1 }, /sum must be >= 0/],
      [
        'a count total beyond 2^53',
        { ...valid, counts: [Number.MAX_SAFE_INTEGER, 1] },
        /total count is too large/,
      ],
    ])('rejects %s (fromJSON and parseSketchJson alike)', (_description, input, message) => {
      expect(() => DDSketch.fromJSON(input)).toThrow(InvalidSketchError);
      expect(() => DDSketch.fromJSON(input)).toThrow(message);
      expect(() => parseSketchJson(input)).toThrow(InvalidSketchError);
      expect(() => parseSketchJson(input)).toThrow(message);
    });

    it('parseSketchJson keeps a valid wire form as it is, with exactly its fields', () => {
      const wire = { ...valid, unknownField: 1 };
      const parsed = parseSketchJson(wire);
      expect(parsed).toEqual(valid);
      expect(Object.keys(parsed)).toEqual(Object.keys(valid));
      expect(DDSketch.fromJSON(parsed).toJSON()).toEqual(DDSketch.fromJSON(wire).toJSON());
    });

    it('parseSketchJson writes min, max and sum of an empty sketch as 0, as toJSON does', () => {
      const parsed = parseSketchJson({ ...new DDSketch().toJSON(), min: 3, max: 1, sum: -2 });
      expect(parsed).toEqual(new DDSketch().toJSON());
    });
  });
});
