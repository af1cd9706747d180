import { DDSketch, IncompatibleSketchError, InvalidSketchError, type SketchJSON } from './ddsketch';
import { SeededRandom } from '@lattice/platform';

/** The path mergeJSONList replaces: a sketch per input, merged into a fresh one, then into the target. */
function stepByStep(target: DDSketch, inputs: readonly unknown[]): DDSketch {
  const merged = new DDSketch();
  for (const input of inputs) merged.merge(DDSketch.fromJSON(input));
  return target.merge(merged);
}

function sketchOf(values: number[], maxBuckets?: number): DDSketch {
  const sketch = new DDSketch({ maxBuckets });
  for (const value of values) sketch.add(value);
  return sketch;
}

function observable(sketch: DDSketch): unknown {
  const quantiles = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1].map((q) => sketch.quantile(q));
  return {
    json: sketch.toJSON(),
    count: sketch.count,
    min: sketch.min,
    max: sketch.max,
    quantiles,
    below: sketch.countAtOrBelow(50),
  };
}

const random = new SeededRandom(7);
const latency = () => (random.next() < 0.05 ? 0 : Math.exp(Math.log(30) + 1.2 * random.normal()));

describe('DDSketch.mergeJSONList', () => {
  it('gives exactly the step-by-step result on random groups, into empty and non-empty targets', () => {
    for (let round = 0; round < 50; round++) {
      const inputs = Array.from({ length: 1 + Math.floor(random.next() * 40) }, () =>
        sketchOf(Array.from({ length: Math.floor(random.next() * 30) }, latency)).toJSON(),
      );
      const existing = Array.from({ length: Math.floor(random.next() * 50) }, latency);
      const fast = sketchOf(existing).mergeJSONList(inputs);
      const slow = stepByStep(sketchOf(existing), inputs);
      expect(observable(fast)).toEqual(observable(slow));
      expect(fast.sum).toBe(slow.sum);
    }
  });

  it('ignores empty inputs and zero counts at the ends like the step-by-step path', () => {
    const padded: SketchJSON = { ...sketchOf([3, 4, 5]).toJSON() };
    padded.counts = [0, 0, ...padded.counts, 0];
    padded.offset -= 2;
    const inputs = [new DDSketch().toJSON(), padded, { ...new DDSketch().toJSON(), sum: 5, min: 9 }];
    const fast = sketchOf([100]).mergeJSONList(inputs);
    expect(observable(fast)).toEqual(observable(stepByStep(sketchOf([100]), inputs)));
  });

  it('takes the step-by-step path when the buckets would collapse, keeping its result', () => {
    const inputs = [sketchOf([0.001, 1]).toJSON(), sketchOf([5e6]).toJSON(), sketchOf([1e-4, 1e9]).toJSON()];
    const fast = sketchOf([0.5], 300).mergeJSONList(inputs);
    const slow = stepByStep(sketchOf([0.5], 300), inputs);
    expect(observable(fast)).toEqual(observable(slow));
  });

  it('throws the step-by-step errors for invalid or incompatible input', () => {
    const valid = sketchOf([1, 2]).toJSON();
    expect(() => new DDSketch().mergeJSONList([valid, { ...valid, counts: [1, -1] }])).toThrow(
      InvalidSketchError,
    );
    expect(() => new DDSketch().mergeJSONList([valid, 'nope'])).toThrow(InvalidSketchError);
    expect(() => new DDSketch().mergeJSONList([{ ...valid, relativeAccuracy: 0.02 }])).toThrow(
      IncompatibleSketchError,
    );
    expect(() => new DDSketch().mergeJSONList([{ ...valid, min: Number.NaN }])).toThrow(InvalidSketchError);
  });
});
