/**
 * The fake kube-apiserver driven by the real @kubernetes/client-node, in a child process on the same
 * (pinned) Node.js: the client ships only ES modules, which jest's CommonJS module system cannot load.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { start, type KubeApiServer } from './support/kube-api-server';

function run(
  binary: string,
  script: string,
  args: string[],
  onLine: (line: string, reply: (text: string) => void) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(binary, [script, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '' },
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      pending += chunk.toString();
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        onLine(pending.slice(0, newline), (text) => child.stdin.write(text));
        pending = pending.slice(newline + 1);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('fake kube-apiserver with @kubernetes/client-node', () => {
  let server: KubeApiServer;

  beforeAll(async () => {
    server = await start({ bookmarkIntervalMs: 200 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists, watches, runs an informer and server-side applies like the agent', async () => {
    server.faults.forbid({ verb: 'list', resource: 'secrets' });
    let listsBeforeExpiry = 0;
    const script = path.join(__dirname, 'support/kube-api-server/client-node-check.mjs');
    const result = await run(process.execPath, script, [server.kubeconfigPath], (line, reply) => {
      if (line !== 'EXPIRE') return;
      listsBeforeExpiry = server.requests({ verb: 'list', resource: 'services' }).length;
      server.faults.expireWatches();
      server.store.create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'after-expiry', namespace: 'default' },
        spec: { ports: [{ port: 82 }] },
      });
      reply('go\n');
    });
    if (result.code !== 0)
      throw new Error(`client-node check failed (${result.code}):\n${result.stderr}\n${result.stdout}`);
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    expect(out.namespaces).toEqual(expect.arrayContaining(['default', 'kube-system']));
    expect(out.services).toEqual(['web']);
    expect(out.watched).toEqual([
      ['ADDED', 'api'],
      ['DELETED', 'api'],
    ]);
    expect(out.informed).toEqual(['after-expiry', 'late', 'web']);
    // The informer relisted after the 410.
    expect(server.requests({ verb: 'list', resource: 'services' }).length).toBeGreaterThan(listsBeforeExpiry);
    expect(out.applied).toEqual({ apiVersion: 'networking.istio.io/v1', managers: ['lattice-agent/Apply'] });
    expect(out.conflict.code).toBe(409);
    expect(out.conflict.body).toMatchObject({
      reason: 'Conflict',
      details: { causes: [{ type: 'FieldManagerConflict', field: '.spec.hosts' }] },
    });
    expect(out.readHosts).toEqual(['web']);
    expect(out.listedKinds).toEqual(['VirtualService']);
    expect(out.forbidden.code).toBe(403);
    expect(out.forbidden.body.message).toBe(
      `secrets is forbidden: User "${server.user}" cannot list resource "secrets" in API group "" in the namespace "default"`,
    );
    const applies = server.requests({ verb: 'patch', resource: 'virtualservices' });
    expect(applies[0]).toMatchObject({
      fieldManager: 'lattice-agent',
      force: true,
      contentType: 'application/apply-patch+yaml',
    });
    expect(server.requests({ verb: 'watch', resource: 'services' }).length).toBeGreaterThanOrEqual(2);
  });
});
