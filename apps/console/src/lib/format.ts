/** Numbers and times as the console shows them; a missing value is an em dash, never 0. */
export const DASH = '—';

export function rate(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  if (value === 0) return '0 rps';
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} rps`;
}

/** errorRate is a fraction (0..1). */
export function percent(fraction: number | null | undefined, digits = 2): string {
  if (fraction === null || fraction === undefined) return DASH;
  return `${(fraction * 100).toFixed(digits)} %`;
}

export function millis(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}

export function dateTime(value: string | null | undefined): string {
  if (!value) return DASH;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

export function burn(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return `${value.toFixed(1)}×`;
}

/** `ONE_HOUR` → `1h`: the short names REST and the docs use. */
export const BURN_WINDOW_LABEL: Record<string, string> = {
  FIVE_MINUTES: '5m',
  THIRTY_MINUTES: '30m',
  ONE_HOUR: '1h',
  TWO_HOURS: '2h',
  SIX_HOURS: '6h',
  ONE_DAY: '1d',
  THREE_DAYS: '3d',
};
