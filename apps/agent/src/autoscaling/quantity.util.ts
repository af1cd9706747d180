/*
 * Kubernetes resource quantities as metrics.k8s.io reports usage: CPU in cores with a suffix
 * (`250m`, `1`, `123456789n`, `15u`), memory in bytes with a binary or decimal suffix
 * (`123456Ki`, `100Mi`, `1G`, `1048576`).
 */

const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The quantity's value in base units; throws on anything that is not a quantity. */
export function parseQuantity(text: string): number {
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$/.exec(
    text.trim(),
  );
  if (!match) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(text)}`);
  const value = Number(match[1]);
  const suffix = match[2] ?? '';
  return value * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1);
}

export function parseCpuMillicores(text: string): number {
  return parseQuantity(text) * 1000;
}

export function parseMemoryMiB(text: string): number {
  return parseQuantity(text) / 2 ** 20;
}
