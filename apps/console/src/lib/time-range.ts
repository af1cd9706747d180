/** The time ranges the topology and charts offer; times are whole minutes (the API's rule). */
export const TIME_RANGES = [
  { value: '15m', label: 'Last 15 minutes', minutes: 15, step: 60 },
  { value: '1h', label: 'Last hour', minutes: 60, step: 60 },
  { value: '6h', label: 'Last 6 hours', minutes: 360, step: 300 },
  { value: '24h', label: 'Last 24 hours', minutes: 1440, step: 900 },
  { value: '7d', label: 'Last 7 days', minutes: 10080, step: 3600 },
] as const;

export type TimeRangeValue = (typeof TIME_RANGES)[number]['value'];

export interface Window {
  from: string;
  to: string;
  step: number;
}

/**
 * [from, to) ending at the next whole minute, so the current minute's traffic is included; `step`
 * keeps a series at most a few hundred points.
 */
export function windowOf(range: TimeRangeValue, now: number = Date.now()): Window {
  const spec = TIME_RANGES.find((r) => r.value === range) ?? TIME_RANGES[1];
  const to = Math.ceil((now + 1) / 60_000) * 60_000;
  const from = to - spec.minutes * 60_000;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), step: spec.step };
}
