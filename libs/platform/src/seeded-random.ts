/**
 * A small seeded pseudo-random generator (sfc32) with the samplers synthetic traffic needs.
 * Deterministic across platforms: the same seed yields the same sequence.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    // splitmix32 spreads any integer seed over the 128-bit state.
    let state = seed >>> 0;
    const nextSeedWord = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = nextSeedWord();
    this.b = nextSeedWord();
    this.c = nextSeedWord();
    this.d = nextSeedWord();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal (Box–Muller, polar form). */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * factor;
    return u * factor;
  }

  /** Exponential with the given rate. */
  exponential(rate: number): number {
    return -Math.log(1 - this.next()) / rate;
  }

  /**
   * Poisson(mean). Exact (Knuth) for small means; above 30 the normal approximation, whose error
   * is far below what a demo or benchmark can notice.
   */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean < 30) {
      const limit = Math.exp(-mean);
      let k = 0;
      let product = this.next();
      while (product > limit) {
        k++;
        product *= this.next();
      }
      return k;
    }
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
  }

  /**
   * Binomial(trials, probability). Exact by inversion when the expected count of the rarer outcome
   * is small (cost proportional to it, not to `trials`); otherwise the normal approximation.
   */
  binomial(trials: number, probability: number): number {
    if (trials <= 0 || probability <= 0) return 0;
    if (probability >= 1) return trials;
    if (probability > 0.5) return trials - this.binomial(trials, 1 - probability);
    const mean = trials * probability;
    if (mean < 30) {
      const ratio = probability / (1 - probability);
      let pmf = Math.exp(trials * Math.log1p(-probability));
      let cumulative = pmf;
      const u = this.next();
      let k = 0;
      while (u > cumulative && k < trials) {
        pmf *= ((trials - k) / (k + 1)) * ratio;
        k++;
        cumulative += pmf;
        if (pmf === 0) break;
      }
      return k;
    }
    const deviation = Math.sqrt(mean * (1 - probability));
    return Math.min(trials, Math.max(0, Math.round(mean + deviation * this.normal())));
  }
}

/** A 32-bit seed from arbitrary parts (FNV-1a over their text), so related streams stay independent. */
export function deriveSeed(...parts: ReadonlyArray<string | number>): number {
  let hash = 0x811c9dc5;
  const text = parts.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
