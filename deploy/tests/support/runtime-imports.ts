import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../..');
const LATTICE_PATHS: Record<string, string> = {
  '@lattice/domain': 'libs/domain/src',
  '@lattice/pki': 'libs/pki/src',
  '@lattice/proto': 'libs/proto/src',
  '@lattice/istio': 'libs/istio/src',
  '@lattice/platform': 'libs/platform/src',
  '@lattice/agent': 'apps/agent/src',
};

function resolveFile(base: string): string | undefined {
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function resolveLattice(specifier: string): string | undefined {
  for (const [alias, dir] of Object.entries(LATTICE_PATHS)) {
    if (specifier === alias) return resolveFile(path.join(ROOT, dir));
    if (specifier.startsWith(`${alias}/`))
      return resolveFile(path.join(ROOT, dir, specifier.slice(alias.length + 1)));
  }
  return undefined;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * The npm packages a program loads at run time: follows the import graph from `entry` (relative
 * and @lattice/* imports) through TypeScript's own emit, so imports used only as types, which
 * the compiler drops, do not count. Includes dynamic `import()`.
 */
export function runtimePackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = [path.resolve(ROOT, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const output = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        experimentalDecorators: true,
      },
      fileName: file,
    }).outputText;
    for (const match of output.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) {
        const resolved = resolveFile(path.resolve(path.dirname(file), specifier));
        if (resolved?.endsWith('.ts')) queue.push(resolved);
      } else if (specifier.startsWith('@lattice/')) {
        const resolved = resolveLattice(specifier);
        if (!resolved) throw new Error(`${file}: cannot resolve ${specifier}`);
        queue.push(resolved);
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        packages.add(packageName(specifier));
      }
    }
  }
  return packages;
}
