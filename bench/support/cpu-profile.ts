import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Self time per function of a V8 .cpuprofile (node --cpu-prof), heaviest first: where a
 * controller spent its CPU during a benchmark. `node dist/bench/support/cpu-profile.js <file>`.
 */
export function topFunctions(file: string, limit = 25): Array<{ fn: string; ms: number; share: number }> {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[i] ?? 0;
    total += delta;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
  });
  return [...selfMicros.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([fn, micros]) => ({
      fn,
      ms: Math.round(micros / 1000),
      share: Math.round((micros / total) * 1000) / 10,
    }));
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/bench/support/cpu-profile.js <file.cpuprofile> [limit]\n');
    process.exit(2);
  }
  for (const row of topFunctions(file, Number(process.argv[3] ?? 25)))
    process.stdout.write(`${String(row.ms).padStart(8)} ms ${String(row.share).padStart(5)} %  ${row.fn}\n`);
}
