#!/usr/bin/env node
// Writes the agent image's package.json: the root manifest's name (the agent finds its files
// relative to the package named "lattice") with only the dependencies in runtime-dependencies.json,
// at the ranges of the root manifest, so `npm install` against the root lockfile keeps its versions.
// Usage: node deploy/agent/write-runtime-manifest.mjs <root package.json> > package.json
import fs from 'node:fs';
import path from 'node:path';

const rootManifest = JSON.parse(fs.readFileSync(process.argv[2] ?? 'package.json', 'utf8'));
const { dependencies: wanted } = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, 'runtime-dependencies.json'), 'utf8'),
);
const missing = wanted.filter((name) => !rootManifest.dependencies?.[name]);
if (missing.length > 0) {
  process.stderr.write(`not in the root package.json dependencies: ${missing.join(', ')}\n`);
  process.exit(1);
}
const manifest = {
  name: rootManifest.name,
  version: rootManifest.version,
  private: true,
  license: rootManifest.license,
  engines: rootManifest.engines,
  dependencies: Object.fromEntries(wanted.map((name) => [name, rootManifest.dependencies[name]])),
};
process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
