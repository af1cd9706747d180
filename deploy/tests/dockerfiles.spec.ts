// Checks deploy/*/Dockerfile without a Docker engine (none runs here; see docs/operations.md):
// dockerfile-utils' linter, the structure (multi-stage, pinned base, non-root runtime, tini,
// HEALTHCHECK), that every file the build copies exists and is not excluded by .dockerignore, and
// that each image's runtime packages are the ones its code loads.
import fs from 'node:fs';
import path from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { AGENT_USAGE } from '../../apps/agent/src/config/agent-config';
import { controllerEnvSchema } from '../../apps/controller/src/platform/config/controller-env.util';
import { runtimePackages } from './support/runtime-imports';

const ROOT = path.resolve(__dirname, '../..');
const rootManifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** .dockerignore patterns as regular expressions over repository-relative paths. */
const ignored = fs
  .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((pattern) => {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*\//g, '<any-dirs>')
      .replace(/\*/g, '[^/]*')
      .replace(/<any-dirs>/g, '(.*/)?');
    return new RegExp(`^${source}(/.*)?$`);
  });
const isIgnored = (file: string) => ignored.some((pattern) => pattern.test(file));

interface Image {
  name: string;
  file: string;
  entry: string;
}
const IMAGES: Image[] = [
  { name: 'controller', file: 'deploy/controller/Dockerfile', entry: 'apps/controller/src/main.ts' },
  { name: 'agent', file: 'deploy/agent/Dockerfile', entry: 'apps/agent/src/main.ts' },
];

describe.each(IMAGES)('$file', (image) => {
  const source = fs.readFileSync(path.join(ROOT, image.file), 'utf8');
  const dockerfile = DockerfileParser.parse(source);
  const instructions = dockerfile.getInstructions();
  const froms = dockerfile.getFROMs();
  const runtimeStart = froms[froms.length - 1]!.getRange().start.line;
  const runtime = instructions.filter((i) => i.getRange().start.line >= runtimeStart);
  const inRuntime = (keyword: string): Instruction[] => runtime.filter((i) => i.getKeyword() === keyword);

  it('passes the Dockerfile linter', () => {
    expect(validate(source, {}).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('builds in build stages and runs from a fresh, pinned base image', () => {
    expect(froms.map((f) => f.getBuildStage())).toEqual(
      image.name === 'controller' ? ['build', 'console', 'runtime'] : ['build', 'runtime'],
    );
    const args = new Map(
      dockerfile.getARGs().map((a) => [a.getProperty()!.getName(), a.getProperty()!.getValue()]),
    );
    for (const from of froms) {
      const name = from.getImageName()!.replace(/^\$\{(\w+)\}$/, (_, arg: string) => args.get(arg) ?? '');
      expect(name).toMatch(/^[a-z0-9./-]+:[\w.-]+(@sha256:[0-9a-f]{64})?$/);
      expect(name).not.toMatch(/:latest\b/);
    }
  });

  it('runs as an unprivileged user under tini, with a HEALTHCHECK', () => {
    const users = inRuntime('USER').map((u) => u.getArgumentsContent());
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
    const entrypoint = JSON.parse(inRuntime('ENTRYPOINT')[0]!.getArgumentsContent()!) as string[];
    expect(entrypoint.slice(0, 2)).toEqual(['/sbin/tini', '--']);
    expect(
      inRuntime('RUN')
        .map((r) => r.getArgumentsContent())
        .join('\n'),
    ).toContain('apk add --no-cache tini');
    expect(inRuntime('HEALTHCHECK')).toHaveLength(1);
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    const copies = dockerfile
      .getCOPYs()
      .filter((copy) => !copy.getFlags().some((flag) => flag.getName() === 'from'));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const sources = copy
        .getArguments()
        .map((a) => a.getValue())
        .slice(0, -1);
      for (const file of sources) {
        expect([file, fs.existsSync(path.join(ROOT, file))]).toEqual([file, true]);
        expect([file, isIgnored(file)]).toEqual([file, false]);
      }
    }
    // The runtime stage copies only from the build stage, never from the context.
    for (const copy of runtime.filter((i) => i.getKeyword() === 'COPY')) {
      expect(copy.getArgumentsContent()).not.toBeNull();
      expect(
        (copy as ReturnType<typeof dockerfile.getCOPYs>[number]).getFlags().map((f) => f.getName()),
      ).toContain('from');
    }
  });

  it('sets only environment variables the program reads', () => {
    const names = inRuntime('ENV').flatMap((env) =>
      (env as ReturnType<typeof dockerfile.getENVs>[number]).getProperties().map((p) => p.getName()),
    );
    const known =
      image.name === 'controller'
        ? [...Object.keys(controllerEnvSchema.shape), 'CHECKPOINT_DISABLE', 'PRISMA_HIDE_UPDATE_MESSAGE']
        : ['NODE_ENV', ...(AGENT_USAGE.match(/LATTICE_[A-Z_]+/g) ?? [])];
    expect(names.filter((name) => !known.includes(name))).toEqual([]);
  });
});

describe('image contents', () => {
  it('the agent image installs exactly the packages the agent loads at run time', () => {
    const listed = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'deploy/agent/runtime-dependencies.json'), 'utf8'),
    );
    expect([...listed.dependencies].sort()).toEqual([...runtimePackages('apps/agent/src/main.ts')].sort());
    for (const name of listed.dependencies)
      expect([name, rootManifest.dependencies[name]]).toEqual([name, expect.any(String)]);
  });

  it('the agent image patches its runtime packages as the repository does (patches/)', () => {
    const listed: string[] = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'deploy/agent/runtime-dependencies.json'), 'utf8'),
    ).dependencies;
    const patched = fs
      .readdirSync(path.join(ROOT, 'patches'))
      .map((file) => file.replace(/\+[^+]+\.patch$/, '').replace(/\+/g, '/'));
    // @grpc/grpc-js today: the agent's TLS connections to an IP address fail on Node.js 26 without it.
    expect(patched.filter((name) => listed.includes(name)).length).toBeGreaterThan(0);
    const run = fs.readFileSync(path.join(ROOT, 'deploy/agent/Dockerfile'), 'utf8');
    const install = run.indexOf('npm install --omit=dev');
    expect(install).toBeGreaterThan(0);
    expect(run.indexOf('/src/node_modules/.bin/patch-package', install)).toBeGreaterThan(install);
  });

  it('the controller loads only production dependencies, and not the Kubernetes client the image drops', () => {
    const loaded = [...runtimePackages('apps/controller/src/main.ts')];
    expect(loaded.filter((name) => !rootManifest.dependencies[name])).toEqual([]);
    expect(loaded).not.toContain('@kubernetes/client-node');
    expect(fs.readFileSync(path.join(ROOT, 'deploy/controller/Dockerfile'), 'utf8')).toContain(
      'rm -rf node_modules/.cache node_modules/@kubernetes/client-node',
    );
  });
});
