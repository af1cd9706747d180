// Checks the demo's synthetic traffic against the telemetry attribution model (docs/telemetry.md,
// "Attribution"): a cluster reports only traffic its own services receive, and names the caller's
// cluster, where the caller runs. Otherwise the demo topology would show services in clusters they
// do not run in.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { BURN_RATE_WINDOW_MS, burnRateAlertRules, THIRTY_DAYS_MS } from '@lattice/domain';
import { parseSyntheticTelemetryFile } from '../../apps/agent/src/telemetry/synthetic-telemetry.source';
import { generateSyntheticHistory } from '../../apps/agent/src/telemetry/synthetic-traffic.generator';

const DEMO = path.resolve(__dirname, '../demo');
const CLUSTERS = ['east', 'west', 'edge'];

/** "namespace/service" of each service in a demo cluster's inventory file. */
function servicesIn(cluster: string): Set<string> {
  const inventory = YAML.parse(fs.readFileSync(path.join(DEMO, `${cluster}.yaml`), 'utf8')) as {
    services: { namespace: string; name: string }[];
  };
  return new Set(inventory.services.map((service) => `${service.namespace}/${service.name}`));
}

describe('demo synthetic traffic', () => {
  const running = new Map(CLUSTERS.map((cluster) => [cluster, servicesIn(cluster)]));

  it.each(CLUSTERS)(
    '%s reports only calls to its own services, from callers in the clusters it names',
    (cluster) => {
      const file = path.join(DEMO, `traffic-${cluster}.yaml`);
      const traffic = parseSyntheticTelemetryFile(fs.readFileSync(file, 'utf8'), file);
      for (const edge of traffic.edges) {
        expect(running.get(cluster)).toContain(`${edge.destination.namespace}/${edge.destination.service}`);
        expect(edge.source.cluster).toBeDefined();
        expect(running.get(edge.source.cluster ?? '')).toContain(
          `${edge.source.namespace}/${edge.source.service}`,
        );
      }
    },
  );
});

describe("the demo's ratings history", () => {
  // ratings-availability in scripts/demo.mjs: ERROR_RATE at most 1 %, 99 %, 30 days, TIME_SLICES, IGNORE.
  const MAX_ERROR_RATIO = 0.01;
  const ALLOWED_BAD_FRACTION = 0.01;
  const NOW = Date.UTC(2026, 11, 4, 12, 0);
  const file = path.join(DEMO, 'traffic-west.yaml');
  const traffic = parseSyntheticTelemetryFile(fs.readFileSync(file, 'utf8'), file);
  const items = generateSyntheticHistory({ seed: traffic.seed, edges: traffic.edges, untilUnixMs: NOW });
  // Pooled per minute, as the SLO judges its services' traffic.
  const minutes = new Map<number, { requests: number; errors: number }>();
  for (const item of items.filter((entry) => entry.destinationService === 'ratings')) {
    const minute = minutes.get(item.minuteUnixMs) ?? { requests: 0, errors: 0 };
    minute.requests += item.requests;
    minute.errors += item.errors;
    minutes.set(item.minuteUnixMs, minute);
  }
  const bad = [...minutes].filter(([, m]) => m.errors / m.requests > MAX_ERROR_RATIO).map(([at]) => at);
  const badFractionOver = (windowMs: number) =>
    bad.filter((at) => at >= NOW - windowMs).length / (windowMs / 60_000);

  it('is only ratings: 9,000 minutes of traffic, of which only the last 10 (the incident) are bad', () => {
    expect(new Set(items.map((item) => item.destinationService))).toEqual(new Set(['ratings']));
    expect(minutes.size).toBe(9000);
    expect(bad).toEqual(Array.from({ length: 10 }, (_, index) => NOW - (10 - index) * 60_000));
  });

  it('puts ratings-availability in WARNING with its 1h/5m page at demo start, VIOLATED after about 80 minutes', () => {
    const rules = new Map(burnRateAlertRules(THIRTY_DAYS_MS).map((rule) => [rule.id, rule]));
    const rate = (window: keyof typeof BURN_RATE_WINDOW_MS) =>
      badFractionOver(BURN_RATE_WINDOW_MS[window]) / ALLOWED_BAD_FRACTION;
    // Budget: 1 % of the 9,000 minutes with requests = 90 bad minutes; 10 spent.
    expect(ALLOWED_BAD_FRACTION * minutes.size - bad.length).toBeCloseTo(80);
    // PAGE_1H_5M: 10 of the last 60 minutes bad is a burn rate of 16.7 > 14.4; the last 5 all bad.
    expect(rate('1h')).toBeGreaterThan(rules.get('PAGE_1H_5M')!.threshold);
    expect(rate('5m')).toBeGreaterThan(rules.get('PAGE_1H_5M')!.threshold);
    for (const id of ['PAGE_6H_30M', 'TICKET_1D_2H', 'TICKET_3D_6H'])
      expect(rate(rules.get(id)!.longWindow)).toBeLessThan(rules.get(id)!.threshold);
    // The 3-day burn rate stays below 1, so the alert alone makes it WARNING (slo-status.ts).
    expect(rate('3d')).toBeLessThan(1);
    // Every demo minute is bad (3 % errors): the budget lasts while 10 + t < 1 % of (9,000 + t).
    const lasts = (demoMinutes: number) =>
      bad.length + demoMinutes < ALLOWED_BAD_FRACTION * (minutes.size + demoMinutes);
    expect(lasts(80)).toBe(true);
    expect(lasts(81)).toBe(false);
  });
});
