import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { type HelmContext, TemplateSet } from './go-template';

export const HELM_DIR = path.resolve(__dirname, '../../helm');

/** Rendered manifests, navigated freely by the tests (every field is also checked by schema). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface Chart {
  name: string;
  dir: string;
  meta: { name: string; version: string; appVersion: string };
  defaults: Record<string, unknown>;
  schema: object;
  templates: TemplateSet;
  manifests: string[];
}

export function loadChart(name: string): Chart {
  const dir = path.join(HELM_DIR, name);
  const meta = YAML.parse(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'));
  const templates = new TemplateSet();
  const files = fs.readdirSync(path.join(dir, 'templates')).sort();
  // Helpers first: their `define`s are used by the others.
  for (const file of [
    ...files.filter((f) => f.startsWith('_')),
    ...files.filter((f) => !f.startsWith('_')),
  ]) {
    templates.add(file, fs.readFileSync(path.join(dir, 'templates', file), 'utf8'));
  }
  return {
    name,
    dir,
    meta,
    defaults: YAML.parse(fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8')),
    schema: JSON.parse(fs.readFileSync(path.join(dir, 'values.schema.json'), 'utf8')),
    templates,
    manifests: files.filter((f) => /\.ya?ml$/.test(f)),
  };
}

/** Helm's value merge: maps merge recursively, everything else (lists too) is replaced. */
export function mergeValues(base: unknown, override: unknown): unknown {
  if (isMap(base) && isMap(override)) {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) merged[key] = mergeValues(base[key], value);
    return merged;
  }
  return override === undefined ? base : override;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function helmContext(chart: Chart, values: unknown, release = 'prod'): HelmContext {
  return {
    Values: values,
    Release: { Name: release, Namespace: 'lattice-system', Service: 'Helm' },
    Chart: { Name: chart.meta.name, Version: chart.meta.version, AppVersion: chart.meta.appVersion },
  };
}

/** Renders every manifest template (like `helm template`) and parses the YAML documents. */
export function renderChart(chart: Chart, overrides: unknown, release?: string): KubeObject[] {
  const context = helmContext(chart, mergeValues(chart.defaults, overrides), release);
  const objects: KubeObject[] = [];
  for (const file of chart.manifests) {
    const text = chart.templates.render(file, context);
    for (const document of YAML.parseAllDocuments(text)) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}\n${text}`);
      const object = document.toJS();
      if (object !== null && object !== undefined) objects.push(object as KubeObject);
    }
  }
  return objects;
}

/** The chart's NOTES.txt as helm prints it after an install. */
export function renderNotes(chart: Chart, overrides: unknown): string {
  return chart.templates.render('NOTES.txt', helmContext(chart, mergeValues(chart.defaults, overrides)));
}

/** Unknown fields and wrong JSON types, per @kubernetes/client-node's API types (see the script). */
export function strictFieldProblems(objects: KubeObject[]): string[] {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'kube-field-check.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  return JSON.parse(output) as string[];
}

export function find(objects: KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0]!;
}
