import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** Monotonic clock, microseconds (the clock of `process.hrtime`). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  fn: string;
  /** Time in the function itself. */
  ms: number;
  share: number;
  /** Time in the function and everything it called (recursion counted once). */
  totalMs: number;
  totalShare: number;
}

/**
 * A window of a profile, in the monotonic microseconds of `process.hrtime.bigint() / 1000n` (the
 * clock V8 stamps samples with): the convergence benchmark logs the window of its measured changes.
 */
export interface ProfileWindow {
  fromMicros?: number;
  toMicros?: number;
}

/**
 * Self and total time per function of a V8 .cpuprofile (node --cpu-prof), heaviest self time
 * first, optionally only the samples inside a window: where a controller spent its CPU during a
 * benchmark. `node dist/bench/support/cpu-profile.js <file> [limit] [--from=<µs>] [--to=<µs>]`.
 */
export function topFunctions(file: string, limit = 25, window: ProfileWindow = {}): ProfileRow[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const keyOf = (node: ProfileNode): string => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'} ${where}`.trim();
  };
  const selfMicros = new Map<string, number>();
  const totalMicros = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (
      (window.fromMicros !== undefined && at < window.fromMicros) ||
      (window.toMicros !== undefined && at > window.toMicros)
    )
      return;
    total += delta;
    const node = byId.get(id);
    if (!node) return;
    const key = keyOf(node);
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
    const onStack = new Set<string>();
    for (
      let current: ProfileNode | undefined = node;
      current;
      current = byId.get(parentOf.get(current.id) ?? -1)
    )
      onStack.add(keyOf(current));
    for (const fn of onStack) totalMicros.set(fn, (totalMicros.get(fn) ?? 0) + delta);
  });
  const share = (micros: number) => (total > 0 ? Math.round((micros / total) * 1000) / 10 : 0);
  return [...selfMicros.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([fn, micros]) => {
      const inclusive = totalMicros.get(fn) ?? micros;
      return {
        fn,
        ms: Math.round(micros / 1000),
        share: share(micros),
        totalMs: Math.round(inclusive / 1000),
        totalShare: share(inclusive),
      };
    });
}

if (require.main === module) {
  const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const flag = (name: string): number | undefined => {
    const value = process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
    return value === undefined ? undefined : Number(value);
  };
  const [file, limit] = positional;
  if (!file) {
    process.stderr.write(
      'usage: node dist/bench/support/cpu-profile.js <file.cpuprofile> [limit] [--from=<µs>] [--to=<µs>]\n',
    );
    process.exit(2);
  }
  process.stdout.write('  self ms      %  total ms      %  function\n');
  for (const row of topFunctions(file, Number(limit ?? 25), {
    fromMicros: flag('from'),
    toMicros: flag('to'),
  }))
    process.stdout.write(
      `${String(row.ms).padStart(8)} ${String(row.share).padStart(6)} ${String(row.totalMs).padStart(9)} ${String(row.totalShare).padStart(6)}  ${row.fn}\n`,
    );
}
