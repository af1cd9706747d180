import YAML from 'yaml';

/**
 * A strict renderer for the subset of Go text/template + Helm functions that the charts in
 * deploy/helm use, so CI can render them without helm (not installable here). Anything outside
 * the subset is an error, never silently passed through: an unknown function, a variable
 * declaration, printing a value that does not exist (helm would print nothing), or a field of
 * a missing object. Supported: text with `{{- -}}` trimming and comments; `if`/`else if`/`else`,
 * `with`, `range` (lists and maps), `define` + `include`; pipelines with `.field.path`, `$`,
 * `$.field.path`, string/number/bool literals and parentheses; the functions in FUNCTIONS.
 */
export interface HelmContext {
  Values: unknown;
  Release: { Name: string; Namespace: string; Service: string };
  Chart: { Name: string; Version: string; AppVersion: string };
}

type Operand =
  | { kind: 'field'; base: 'dot' | 'root'; path: string[] }
  | { kind: 'literal'; value: unknown }
  | { kind: 'ident'; name: string }
  | { kind: 'pipeline'; pipeline: Pipeline };
type Command = Operand[];
type Pipeline = { commands: Command[]; source: string };
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline }
  | { kind: 'if'; branches: Array<{ condition: Pipeline; body: Node[] }>; otherwise: Node[] }
  | { kind: 'with' | 'range'; pipeline: Pipeline; body: Node[]; otherwise: Node[] };

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

export class TemplateSet {
  private readonly defines = new Map<string, Node[]>();
  private readonly templates = new Map<string, Node[]>();

  /** Parses a file; its `define` blocks become available to every template of the set. */
  add(name: string, source: string): void {
    const parser = new Parser(name, source);
    const nodes = parser.parse();
    for (const [defineName, body] of parser.defines) {
      if (this.defines.has(defineName))
        throw new TemplateError(`${name}: template "${defineName}" defined twice`);
      this.defines.set(defineName, body);
    }
    this.templates.set(name, nodes);
  }

  render(name: string, context: HelmContext): string {
    const nodes = this.templates.get(name);
    if (!nodes) throw new TemplateError(`no template ${name}`);
    try {
      return this.renderNodes(nodes, context, context);
    } catch (error) {
      if (error instanceof TemplateError) throw new TemplateError(`${name}: ${error.message}`);
      throw error;
    }
  }

  private renderNodes(nodes: Node[], dot: unknown, root: unknown): string {
    let out = '';
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          out += node.text;
          break;
        case 'action': {
          const value = this.evaluate(node.pipeline, dot, root);
          if (value === undefined || value === null)
            throw new TemplateError(`{{ ${node.pipeline.source} }} has no value`);
          out += typeof value === 'object' ? formatGoValue(value) : String(value);
          break;
        }
        case 'if': {
          const branch = node.branches.find((b) => truthy(this.evaluate(b.condition, dot, root)));
          out += this.renderNodes(branch ? branch.body : node.otherwise, dot, root);
          break;
        }
        case 'with': {
          const value = this.evaluate(node.pipeline, dot, root);
          out += truthy(value)
            ? this.renderNodes(node.body, value, root)
            : this.renderNodes(node.otherwise, dot, root);
          break;
        }
        case 'range': {
          const value = this.evaluate(node.pipeline, dot, root);
          const items = Array.isArray(value)
            ? value
            : value && typeof value === 'object'
              ? Object.keys(value)
                  .sort()
                  .map((key) => (value as Record<string, unknown>)[key])
              : value === undefined || value === null
                ? []
                : fail(`range over ${typeof value} in {{ range ${node.pipeline.source} }}`);
          out += items.length
            ? items.map((item) => this.renderNodes(node.body, item, root)).join('')
            : this.renderNodes(node.otherwise, dot, root);
          break;
        }
      }
    }
    return out;
  }

  private evaluate(pipeline: Pipeline, dot: unknown, root: unknown): unknown {
    let piped: { value: unknown } | undefined;
    for (const command of pipeline.commands) {
      const [head, ...rest] = command;
      if (!head) throw new TemplateError(`empty command in {{ ${pipeline.source} }}`);
      if (head.kind === 'ident') {
        const args = rest.map((operand) => this.operand(operand, dot, root, pipeline));
        if (piped) args.push(piped.value);
        piped = { value: this.call(head.name, args, pipeline) };
      } else {
        if (rest.length > 0 || piped)
          throw new TemplateError(`cannot give arguments to a non-function in {{ ${pipeline.source} }}`);
        piped = { value: this.operand(head, dot, root, pipeline) };
      }
    }
    return piped?.value;
  }

  private operand(operand: Operand, dot: unknown, root: unknown, pipeline: Pipeline): unknown {
    switch (operand.kind) {
      case 'literal':
        return operand.value;
      case 'pipeline':
        return this.evaluate(operand.pipeline, dot, root);
      case 'ident':
        return this.call(operand.name, [], pipeline);
      case 'field': {
        let value: unknown = operand.base === 'dot' ? dot : root;
        for (const [index, key] of operand.path.entries()) {
          if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
            const prefix = operand.path.slice(0, index).join('.');
            throw new TemplateError(
              `nil pointer evaluating .${prefix} (for .${key}) in {{ ${pipeline.source} }}`,
            );
          }
          value = (value as Record<string, unknown>)[key];
        }
        return value;
      }
    }
  }

  private call(name: string, args: unknown[], pipeline: Pipeline): unknown {
    if (name === 'include') {
      const [templateName, data] = args;
      const body = this.defines.get(String(templateName));
      if (!body) throw new TemplateError(`include of unknown template "${String(templateName)}"`);
      return this.renderNodes(body, data, data);
    }
    const fn = FUNCTIONS[name];
    if (!fn) throw new TemplateError(`unknown function "${name}" in {{ ${pipeline.source} }}`);
    try {
      return fn(...args);
    } catch (error) {
      throw new TemplateError(`${name}: ${(error as Error).message} in {{ ${pipeline.source} }}`);
    }
  }
}

/** Go's notion of a true value: false, 0, nil and empty strings, lists and maps are false. */
export function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function fail(message: string): never {
  throw new TemplateError(message);
}

function formatGoValue(value: object): string {
  // Go prints maps and slices as map[...] / [...]; a chart that prints one has a bug.
  throw new TemplateError(
    `printing a ${Array.isArray(value) ? 'list' : 'map'} directly (use toYaml): ${JSON.stringify(value)}`,
  );
}

function indentLines(spaces: number, text: string): string {
  const pad = ' '.repeat(spaces);
  return pad + text.replace(/\n/g, `\n${pad}`);
}

function asString(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

// Helm's functions take whatever the template passes; each one checks what it needs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const FUNCTIONS: Record<string, (...args: any[]) => unknown> = {
  toYaml: (value: unknown) =>
    value === undefined || value === null ? '' : YAML.stringify(value).replace(/\n$/, ''),
  toJson: (value: unknown) => JSON.stringify(value ?? null),
  quote: (...values: unknown[]) => values.map((value) => JSON.stringify(asString(value))).join(' '),
  squote: (...values: unknown[]) => values.map((value) => `'${asString(value)}'`).join(' '),
  indent: (spaces: number, text: unknown) => indentLines(spaces, asString(text)),
  nindent: (spaces: number, text: unknown) => `\n${indentLines(spaces, asString(text))}`,
  default: (fallback: unknown, value?: unknown) => (truthy(value) ? value : fallback),
  required: (message: string, value?: unknown) => {
    if (value === undefined || value === null || value === '') throw new TemplateError(message);
    return value;
  },
  empty: (value: unknown) => !truthy(value),
  contains: (part: string, value: unknown) => asString(value).includes(part),
  b64enc: (value: unknown) => Buffer.from(asString(value)).toString('base64'),
  trunc: (length: number, value: unknown) => asString(value).slice(0, length),
  trimSuffix: (suffix: string, value: unknown) => {
    const text = asString(value);
    return text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
  },
  printf: (format: string, ...values: unknown[]) => {
    let index = 0;
    return format.replace(/%[sdv%]/g, (verb) => (verb === '%%' ? '%' : asString(values[index++])));
  },
  eq: (first: unknown, ...others: unknown[]) => others.some((other) => other === first),
  ne: (first: unknown, second: unknown) => first !== second,
  and: (...values: unknown[]) => values.find((value) => !truthy(value)) ?? values[values.length - 1],
  or: (...values: unknown[]) => values.find((value) => truthy(value)) ?? values[values.length - 1],
  not: (value: unknown) => !truthy(value),
};

class Parser {
  readonly defines = new Map<string, Node[]>();
  private tokens: Array<{ kind: 'text'; text: string } | { kind: 'action'; body: string; line: number }> = [];
  private position = 0;

  constructor(
    private readonly file: string,
    private readonly source: string,
  ) {}

  parse(): Node[] {
    this.tokens = this.lex();
    const { nodes, terminator } = this.parseUntil([]);
    if (terminator) throw new TemplateError(`${this.file}: unexpected {{ ${terminator} }}`);
    return nodes;
  }

  private lex() {
    const tokens: typeof this.tokens = [];
    const pattern = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
    let last = 0;
    let trimNext = false;
    for (let match = pattern.exec(this.source); match; match = pattern.exec(this.source)) {
      let text = this.source.slice(last, match.index);
      if (trimNext) text = text.replace(/^\s+/, '');
      if (match[1]) text = text.replace(/\s+$/, '');
      if (text) tokens.push({ kind: 'text', text });
      const body = match[2]!.trim();
      const line = this.source.slice(0, match.index).split('\n').length;
      if (!(body.startsWith('/*') && body.endsWith('*/'))) tokens.push({ kind: 'action', body, line });
      trimNext = Boolean(match[3]);
      last = pattern.lastIndex;
    }
    let rest = this.source.slice(last);
    if (trimNext) rest = rest.replace(/^\s+/, '');
    if (rest.includes('{{') || rest.includes('}}')) throw new TemplateError(`${this.file}: unbalanced {{ }}`);
    if (rest) tokens.push({ kind: 'text', text: rest });
    return tokens;
  }

  /** Parses nodes until one of `terminators` (end, else ...) and returns which one stopped it. */
  private parseUntil(terminators: string[]): { nodes: Node[]; terminator?: string } {
    const nodes: Node[] = [];
    while (this.position < this.tokens.length) {
      const token = this.tokens[this.position++]!;
      if (token.kind === 'text') {
        nodes.push({ kind: 'text', text: token.text });
        continue;
      }
      const where = `${this.file}:${token.line}`;
      const [keyword = ''] = token.body.split(/\s+/, 1);
      const rest = token.body.slice(keyword.length).trim();
      if (keyword === 'end' || keyword === 'else') {
        if (!terminators.includes(keyword))
          throw new TemplateError(`${where}: unexpected {{ ${token.body} }}`);
        return { nodes, terminator: token.body };
      }
      if (keyword === 'if') nodes.push(this.parseIf(rest, where));
      else if (keyword === 'with' || keyword === 'range') {
        const pipeline = this.pipeline(rest, where);
        const body = this.parseUntil(['end', 'else']);
        let otherwise: Node[] = [];
        if (body.terminator === 'else') otherwise = this.expectEnd(this.parseUntil(['end']), where).nodes;
        else this.expectEnd(body, where);
        nodes.push({ kind: keyword, pipeline, body: body.nodes, otherwise });
      } else if (keyword === 'define') {
        const name = this.pipeline(rest, where).commands[0]?.[0];
        if (name?.kind !== 'literal' || typeof name.value !== 'string')
          throw new TemplateError(`${where}: define needs a quoted name`);
        this.defines.set(name.value, this.expectEnd(this.parseUntil(['end']), where).nodes);
      } else if (
        ['template', 'block', 'break', 'continue'].includes(keyword) ||
        token.body.includes(':=') ||
        /(^|\s)\$[A-Za-z_]/.test(token.body)
      ) {
        throw new TemplateError(`${where}: {{ ${token.body} }} is outside the supported subset`);
      } else nodes.push({ kind: 'action', pipeline: this.pipeline(token.body, where) });
    }
    if (terminators.length > 0) throw new TemplateError(`${this.file}: missing {{ end }}`);
    return { nodes };
  }

  private parseIf(conditionSource: string, where: string): Node {
    const branches: Array<{ condition: Pipeline; body: Node[] }> = [];
    let condition = this.pipeline(conditionSource, where);
    for (;;) {
      const body = this.parseUntil(['end', 'else']);
      branches.push({ condition, body: body.nodes });
      if (body.terminator === 'end') return { kind: 'if', branches, otherwise: [] };
      if (body.terminator === 'else') {
        return { kind: 'if', branches, otherwise: this.expectEnd(this.parseUntil(['end']), where).nodes };
      }
      const elseIf = body.terminator?.match(/^else\s+if\s+([\s\S]+)$/);
      if (!elseIf)
        throw new TemplateError(`${where}: {{ ${body.terminator} }} is outside the supported subset`);
      condition = this.pipeline(elseIf[1]!, where);
    }
  }

  private expectEnd(result: { nodes: Node[]; terminator?: string }, where: string) {
    if (result.terminator !== 'end')
      throw new TemplateError(`${where}: expected {{ end }}, found {{ ${result.terminator} }}`);
    return result;
  }

  private pipeline(source: string, where: string): Pipeline {
    const tokens = tokenize(source, where);
    let index = 0;
    const parsePipeline = (closing: boolean): Pipeline => {
      const commands: Command[] = [[]];
      while (index < tokens.length) {
        const token = tokens[index++]!;
        if (token === '|') commands.push([]);
        else if (token === ')') {
          if (!closing) throw new TemplateError(`${where}: unbalanced ) in {{ ${source} }}`);
          return { commands, source };
        } else if (token === '(')
          commands[commands.length - 1]!.push({ kind: 'pipeline', pipeline: parsePipeline(true) });
        else commands[commands.length - 1]!.push(operandOf(token, where, source));
      }
      if (closing) throw new TemplateError(`${where}: unbalanced ( in {{ ${source} }}`);
      if (commands.some((command) => command.length === 0))
        throw new TemplateError(`${where}: empty command in {{ ${source} }}`);
      return { commands, source };
    };
    return parsePipeline(false);
  }
}

function tokenize(source: string, where: string): string[] {
  const pattern = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||[^\s()|"`]+)/y;
  const tokens: string[] = [];
  let position = 0;
  for (;;) {
    pattern.lastIndex = position;
    const match = pattern.exec(source);
    if (!match) break;
    tokens.push(match[1]!);
    position = pattern.lastIndex;
  }
  if (source.slice(position).trim()) throw new TemplateError(`${where}: cannot read {{ ${source} }}`);
  return tokens;
}

function operandOf(token: string, where: string, source: string): Operand {
  if (token.startsWith('"')) return { kind: 'literal', value: JSON.parse(token) };
  if (token.startsWith('`')) return { kind: 'literal', value: token.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(token)) return { kind: 'literal', value: Number(token) };
  if (token === 'true' || token === 'false') return { kind: 'literal', value: token === 'true' };
  if (token === '.') return { kind: 'field', base: 'dot', path: [] };
  if (token === '$') return { kind: 'field', base: 'root', path: [] };
  if (/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(token))
    return { kind: 'field', base: 'dot', path: token.slice(1).split('.') };
  if (/^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(token))
    return { kind: 'field', base: 'root', path: token.slice(2).split('.') };
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(token)) return { kind: 'ident', name: token };
  throw new TemplateError(`${where}: cannot read "${token}" in {{ ${source} }}`);
}
