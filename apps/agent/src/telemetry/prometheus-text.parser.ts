/** A parser for the Prometheus text exposition format (version 0.0.4), samples only. */

export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export class PrometheusParseError extends Error {
  readonly code = 'PROMETHEUS_PARSE';
  constructor(
    message: string,
    readonly lineNumber: number,
  ) {
    super(`Prometheus text, line ${lineNumber}: ${message}`);
    this.name = 'PrometheusParseError';
  }
}

export interface ParsePrometheusOptions {
  /** Only samples of these metric names are parsed; other lines are skipped unread (Envoy exposes thousands). */
  metricNames?: ReadonlySet<string>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

export function parsePrometheusText(text: string, options: ParsePrometheusOptions = {}): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '' || line.startsWith('#')) continue;
    const nameMatch = METRIC_NAME.exec(line);
    if (!nameMatch) throw new PrometheusParseError(`expected a metric name in "${line}"`, index + 1);
    const name = nameMatch[0];
    if (options.metricNames && !options.metricNames.has(name)) continue;
    samples.push(parseSampleLine(line, name, index + 1));
  }
  return samples;
}

function parseSampleLine(line: string, name: string, lineNumber: number): PrometheusSample {
  const labels: Record<string, string> = {};
  let position = name.length;
  const skipSpaces = (): void => {
    while (line[position] === ' ' || line[position] === '\t') position++;
  };
  skipSpaces();
  if (line[position] === '{') {
    position++;
    for (;;) {
      skipSpaces();
      if (line[position] === '}') break;
      const labelMatch = LABEL_NAME.exec(line.slice(position));
      if (!labelMatch)
        throw new PrometheusParseError(`expected a label name at column ${position + 1}`, lineNumber);
      const labelName = labelMatch[0];
      position += labelName.length;
      skipSpaces();
      if (line[position] !== '=')
        throw new PrometheusParseError(`expected "=" after label ${labelName}`, lineNumber);
      position++;
      skipSpaces();
      if (line[position] !== '"')
        throw new PrometheusParseError(`expected a quoted value for label ${labelName}`, lineNumber);
      position++;
      let value = '';
      for (;;) {
        const character = line[position];
        if (character === undefined)
          throw new PrometheusParseError(`unterminated value for label ${labelName}`, lineNumber);
        position++;
        if (character === '"') break;
        if (character === '\\') {
          const escaped = line[position];
          position++;
          if (escaped === 'n') value += '\n';
          else if (escaped === '\\' || escaped === '"') value += escaped;
          else
            throw new PrometheusParseError(
              `invalid escape "\\${escaped ?? ''}" in label ${labelName}`,
              lineNumber,
            );
        } else {
          value += character;
        }
      }
      labels[labelName] = value;
      skipSpaces();
      if (line[position] === ',') position++;
      else if (line[position] !== '}')
        throw new PrometheusParseError(`expected "," or "}" after label ${labelName}`, lineNumber);
    }
    position++;
  }
  const rest = line
    .slice(position)
    .trim()
    .split(/[ \t]+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') {
    throw new PrometheusParseError(`expected a value and an optional timestamp after ${name}`, lineNumber);
  }
  const value = parseSampleValue(rest[0]);
  if (value === null) throw new PrometheusParseError(`invalid sample value "${rest[0]}"`, lineNumber);
  const sample: PrometheusSample = { name, labels, value };
  if (rest.length === 2) {
    const timestampMs = Number(rest[1]);
    if (!Number.isInteger(timestampMs))
      throw new PrometheusParseError(`invalid timestamp "${rest[1]}"`, lineNumber);
    sample.timestampMs = timestampMs;
  }
  return sample;
}

/** Go's ParseFloat spellings: numbers, NaN and (+/-)Inf in any case. */
function parseSampleValue(text: string): number | null {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}
