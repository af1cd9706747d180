// The monitoring shipped with the controller chart: Prometheus alert rules (files/alerts.yaml) and
// Grafana dashboards (files/dashboards/*.json). Rules and every dashboard query are checked by
// promtool (Debian's `prometheus` package; .ci/run installs it), every metric they name must be one
// the controller exports, and every alert must have its runbook section in docs/operations.md.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import YAML from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const FILES = path.join(ROOT, 'deploy/helm/lattice-controller/files');
const ALERTS = path.join(FILES, 'alerts.yaml');
const DASHBOARD_DIR = path.join(FILES, 'dashboards');

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; description: string; runbook: string };
}
interface Panel {
  id: number;
  title: string;
  datasource: { uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: { refId: string; expr: string; datasource: { uid: string } }[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: { name: string; type: string; query: string }[] };
  panels: Panel[];
}

const rules = (
  YAML.parse(fs.readFileSync(ALERTS, 'utf8')) as { groups: { rules: AlertRule[] }[] }
).groups.flatMap((group) => group.rules);
const dashboards = fs
  .readdirSync(DASHBOARD_DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({
    file,
    dashboard: JSON.parse(fs.readFileSync(path.join(DASHBOARD_DIR, file), 'utf8')) as Dashboard,
  }));
const queries = [
  ...rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
  ...dashboards.flatMap(({ file, dashboard }) =>
    dashboard.panels.flatMap((panel) =>
      panel.targets.map((target) => ({
        where: `${file} / ${panel.title} / ${target.refId}`,
        expr: target.expr,
      })),
    ),
  ),
];

function promtool(args: string[]): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as { code?: string; stdout?: string; stderr?: string; message: string };
    if (failure.code === 'ENOENT') throw new Error('promtool not found: apt-get install prometheus');
    throw new Error(`${failure.stdout ?? ''}${failure.stderr ?? failure.message}`);
  }
}

/** Every metric the controller can export: the names declared in its source, and prom-client's defaults. */
function exportedMetricNames(): Set<string> {
  const names = new Set<string>(['up']);
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.includes('spec')) {
        for (const match of fs.readFileSync(full, 'utf8').matchAll(/name: '(lattice_[a-z0-9_]+)'/g))
          names.add(match[1]!);
      }
    }
  };
  walk(path.join(ROOT, 'apps/controller/src'));
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const metric of registry.getMetricsAsArray()) names.add(metric.name);
  return names;
}

describe('monitoring shipped with the controller chart', () => {
  it('has alert rules that promtool accepts, each with a severity, a summary and a runbook section', () => {
    expect(promtool(['check', 'rules', ALERTS])).toMatch(/SUCCESS: \d+ rules found/);
    const operations = fs.readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');
    const anchors = new Set(
      [...operations.matchAll(/^#+ (.+)$/gm)].map((heading) =>
        heading[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const rule of rules) {
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      const anchor = rule.annotations.runbook.split('#')[1];
      expect({ alert: rule.alert, runbookSection: anchors.has(anchor ?? '') }).toEqual({
        alert: rule.alert,
        runbookSection: true,
      });
    }
    const names = rules.map((rule) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has dashboards with unique ids, a data source variable and panels that fit the grid', () => {
    expect(dashboards.map(({ file }) => file).sort()).toEqual([
      'lattice-agents.json',
      'lattice-controller-overview.json',
      'lattice-convergence.json',
      'lattice-slo-evaluation.json',
      'lattice-telemetry.json',
    ]);
    const uids = dashboards.map(({ dashboard }) => dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const { file, dashboard } of dashboards) {
      expect({ file, schemaVersion: dashboard.schemaVersion >= 36 }).toEqual({ file, schemaVersion: true });
      expect(dashboard.templating.list).toContainEqual(
        expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
      );
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of dashboard.panels) {
        const where = `${file} / ${panel.title}`;
        expect({ where, datasource: panel.datasource.uid }).toEqual({ where, datasource: '${datasource}' });
        expect({ where, fits: panel.gridPos.x + panel.gridPos.w <= 24 && panel.gridPos.w > 0 }).toEqual({
          where,
          fits: true,
        });
        expect({ where, targets: panel.targets.length > 0 }).toEqual({ where, targets: true });
      }
    }
  });

  it('queries only valid PromQL over metrics the controller exports', () => {
    // promtool parses each query as a recording rule: a syntax error names the query.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-queries-'));
    const file = path.join(dir, 'queries.yaml');
    fs.writeFileSync(
      file,
      YAML.stringify({
        groups: [
          {
            name: 'queries',
            rules: queries.map((query, i) => ({ record: `lattice:query:${i}`, expr: query.expr })),
          },
        ],
      }),
    );
    try {
      expect(promtool(['check', 'rules', file])).toMatch(
        new RegExp(`SUCCESS: ${queries.length} rules found`),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const exported = exportedMetricNames();
    const unknown = queries.flatMap(({ where, expr }) =>
      [...expr.replace(/"[^"]*"/g, '""').matchAll(/\b((?:lattice|process|nodejs)_[a-z0-9_]+|up)\b(?!\s*\()/g)]
        .map((match) => match[1]!.replace(/_(bucket|sum|count)$/, ''))
        .filter((name) => !exported.has(name) && !exported.has(`${name}_total`))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});
