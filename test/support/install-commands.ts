import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One call of kubectl or helm made by a pasted script: its arguments and what it read on stdin. */
export interface ToolCall {
  tool: 'kubectl' | 'helm';
  args: string[];
  stdin: string;
}

/**
 * Runs a ready-to-paste install script in a real POSIX shell (`sh -c`), with `kubectl` and `helm`
 * replaced by recorders, so a test sees exactly the arguments the user's shell would pass them
 * (quoting, here-documents and pipes included). The recorders print nothing.
 */
export function runWithRecordedTools(script: string): ToolCall[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-install-'));
  try {
    const record = path.join(dir, 'calls.jsonl');
    for (const tool of ['kubectl', 'helm']) {
      const file = path.join(dir, tool);
      fs.writeFileSync(
        file,
        `#!${process.execPath}\n` +
          `const fs = require('fs');\n` +
          `let stdin = '';\n` +
          `try { stdin = fs.readFileSync(0, 'utf8'); } catch {}\n` +
          `fs.appendFileSync(${JSON.stringify(record)}, JSON.stringify({ tool: ${JSON.stringify(tool)}, args: process.argv.slice(2), stdin }) + '\\n');\n`,
        { mode: 0o755 },
      );
    }
    const result = spawnSync('/bin/sh', ['-e', '-c', script], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
      input: '',
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`the script failed (${result.status}): ${result.stderr}`);
    return fs
      .readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ToolCall);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `--name=value` or `--name value` from an argument list; every occurrence. */
export function flagValues(args: string[], name: string): string[] {
  const values: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === `--${name}`) values.push(args[++index] ?? '');
    else if (arg.startsWith(`--${name}=`)) values.push(arg.slice(name.length + 3));
  }
  return values;
}

/** Flags of kubectl and helm that take the next argument as their value. */
const FLAGS_WITH_VALUES = new Set([
  '--namespace',
  '-n',
  '-o',
  '--output',
  '-f',
  '--filename',
  '--version',
  '--set',
  '--set-string',
  '--set-file',
  '--from-literal',
  '--values',
]);

/** The arguments that are neither flags nor flag values. */
export function positionals(args: string[]): string[] {
  const found: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (FLAGS_WITH_VALUES.has(arg)) index++;
    else if (!arg.startsWith('-')) found.push(arg);
  }
  return found;
}

/** What `kubectl create secret generic NAME --from-literal=K=V …` would create. */
export function secretFromKubectl(call: ToolCall): {
  name: string;
  namespace: string | undefined;
  data: Record<string, string>;
} {
  const [verb, kind, type, name] = positionals(call.args);
  if (verb !== 'create' || kind !== 'secret' || type !== 'generic' || !name)
    throw new Error(`not kubectl create secret generic: ${call.args.join(' ')}`);
  const data: Record<string, string> = {};
  for (const literal of flagValues(call.args, 'from-literal')) {
    const equals = literal.indexOf('=');
    data[literal.slice(0, equals)] = literal.slice(equals + 1);
  }
  return { name, namespace: flagValues(call.args, 'namespace')[0], data };
}

/** Helm's `--set-string a.b=c` values as a nested map (no lists, escapes or commas: not needed here). */
export function helmSetValues(call: ToolCall): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const assignment of [...flagValues(call.args, 'set-string'), ...flagValues(call.args, 'set')]) {
    const equals = assignment.indexOf('=');
    const keys = assignment.slice(0, equals).split('.');
    let node = values;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]!] = assignment.slice(equals + 1);
  }
  return values;
}
