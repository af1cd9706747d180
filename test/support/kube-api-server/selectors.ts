/**
 * Label and field selectors, following "Labels and Selectors" (equality-based `=`, `==`, `!=`;
 * set-based `in`, `notin`, existence `key` and `!key`; plus `gt`/`lt` which the server's parser
 * also accepts) and "Field Selectors" (`=`, `==`, `!=` on a per-resource set of fields).
 */
import { errors } from './errors';

export type Requirement =
  | { key: string; op: 'exists' | 'notexists' }
  | { key: string; op: 'eq' | 'neq' | 'gt' | 'lt'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] };

export type Selector = Requirement[];

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function checkKey(key: string, raw: string): string {
  if (!KEY.test(key) || key.length > 317)
    throw errors.badRequest(`unable to parse requirement: invalid label key "${key}" in "${raw}"`);
  return key;
}

function checkValue(value: string, raw: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw errors.badRequest(`unable to parse requirement: invalid label value: "${value}" in "${raw}"`);
  }
  return value;
}

export function parseLabelSelector(text: string | undefined): Selector {
  if (text === undefined || text.trim() === '') return [];
  return splitTopLevel(text).map((rawPart) => {
    const part = rawPart.trim();
    let match: RegExpMatchArray | null;
    if ((match = part.match(/^!\s*([^\s=!<>(),]+)$/)))
      return { key: checkKey(match[1]!, part), op: 'notexists' };
    if ((match = part.match(/^([^\s=!<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/))) {
      const values = match[3]!.split(',').map((value) => checkValue(value.trim(), part));
      return { key: checkKey(match[1]!, part), op: match[2] as 'in' | 'notin', values };
    }
    if ((match = part.match(/^([^\s=!<>(),]+)\s*(==|=|!=|>|<)\s*([^\s=!<>(),]*)$/))) {
      const op = match[2] === '!=' ? 'neq' : match[2] === '>' ? 'gt' : match[2] === '<' ? 'lt' : 'eq';
      if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(match[3]!)) {
        throw errors.badRequest(
          `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`,
        );
      }
      return { key: checkKey(match[1]!, part), op, value: checkValue(match[3]!, part) };
    }
    if ((match = part.match(/^([^\s=!<>(),]+)$/))) return { key: checkKey(match[1]!, part), op: 'exists' };
    throw errors.badRequest(
      `unable to parse requirement: found '${part}', expected: identifier, '!', 'in', 'notin', '=', '==', '!='`,
    );
  });
}

export function matchesLabels(selector: Selector, labels: Record<string, string> | undefined): boolean {
  const set = labels ?? {};
  return selector.every((requirement) => {
    const has = Object.prototype.hasOwnProperty.call(set, requirement.key);
    const value = set[requirement.key];
    switch (requirement.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'eq':
        return has && value === requirement.value;
      case 'neq':
        return !has || value !== requirement.value;
      case 'in':
        return has && requirement.values.includes(value!);
      case 'notin':
        return !has || !requirement.values.includes(value!);
      case 'gt':
        return has && /^-?\d+$/.test(value!) && Number(value) > Number(requirement.value);
      case 'lt':
        return has && /^-?\d+$/.test(value!) && Number(value) < Number(requirement.value);
    }
  });
}

export interface FieldRequirement {
  field: string;
  op: 'eq' | 'neq';
  value: string;
}

export function parseFieldSelector(
  text: string | undefined,
  supported: (field: string) => boolean,
): FieldRequirement[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((rawPart) => {
    const part = rawPart.trim();
    const match = part.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!match) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const field = match[1]!.trim();
    if (!supported(field)) throw errors.badRequest(`field label not supported: ${field}`);
    return { field, op: match[2] === '!=' ? 'neq' : 'eq', value: match[3]!.trim() };
  });
}

export function matchesFields(
  requirements: FieldRequirement[],
  value: (field: string) => string | undefined,
): boolean {
  return requirements.every((requirement) => {
    const actual = value(requirement.field) ?? '';
    return requirement.op === 'eq' ? actual === requirement.value : actual !== requirement.value;
  });
}

/** `app=web,tier=front` from a LabelSelector's matchLabels/matchExpressions, as the scale subresource reports it. */
export function formatLabelSelector(selector: unknown): string {
  if (typeof selector !== 'object' || selector === null) return '';
  const { matchLabels, matchExpressions } = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
  };
  const parts = Object.entries(matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const expression of matchExpressions ?? []) {
    const values = [...(expression.values ?? [])].sort().join(',');
    if (expression.operator === 'In') parts.push(`${expression.key} in (${values})`);
    else if (expression.operator === 'NotIn') parts.push(`${expression.key} notin (${values})`);
    else if (expression.operator === 'Exists') parts.push(expression.key);
    else if (expression.operator === 'DoesNotExist') parts.push(`!${expression.key}`);
  }
  return parts.sort().join(',');
}
