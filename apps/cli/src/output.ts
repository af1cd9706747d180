import { stringify } from 'yaml';
import { KIND_INFO, refKey, type FieldChange, type ResourceRef } from '@lattice/domain';

export type OutputFormat = 'table' | 'yaml' | 'json';

/** A document (or documents) as YAML: one per `---` section, as apply reads them back. */
export function toYaml(documents: readonly unknown[]): string {
  return documents.map((document) => stringify(document, { lineWidth: 0 })).join('---\n');
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A plain text table: columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** "globalnamespace/shop", "trafficpolicy/shop/cart": how apply names what it did, like kubectl. */
export function displayName(ref: ResourceRef): string {
  return refKey(ref).replace(/^[^/]+/, ref.kind.toLowerCase());
}

export function plural(kind: ResourceRef['kind']): string {
  return KIND_INFO[kind].plural;
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/** The changes of one resource, one field per line: `spec.timeout: "5s" → "10s"`. */
export function renderChanges(changes: readonly FieldChange[], indent = '    '): string {
  return changes
    .map((change) => `${indent}spec.${change.path}: ${show(change.before)} → ${show(change.after)}`)
    .join('\n');
}
