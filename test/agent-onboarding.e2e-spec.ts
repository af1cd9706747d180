// Onboarding as a user does it: register a cluster, paste the answer's kubectl and helm commands,
// and the agent chart runs the real agent against the cluster's API server (the test API server, or
// the cluster of LATTICE_TEST_KUBECONFIG) until it is connected and ready.
//
// The pasted commands run in a real shell with kubectl and helm recorded (test/support/
// install-commands.ts); what they would do is then done for real: the namespace and the Secret are
// created through the Kubernetes API, and the chart is rendered with the values the helm command
// sets (deploy/tests' Go-template renderer, checked against `helm template` in docs/operations.md)
// and applied. The agent process is then started as the kubelet would start the StatefulSet's
// container read back from the API: the image's entrypoint, the container's env (Secret references
// resolved through the API), its volume mounts as temporary folders. Two deliberate differences:
// the API server is reached through a kubeconfig instead of the pod's service account, and the
// http port is 0 (any free port) instead of the chart's 9464.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import { freePort } from '../apps/controller/src/platform/bootstrap/local-resources.util';
import { type Loose, loadChart, renderChart } from '../deploy/tests/support/charts';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/grpc-agent-client';
import {
  flagValues,
  helmSetValues,
  positionals,
  runWithRecordedTools,
  secretFromKubectl,
  type ToolCall,
} from './support/install-commands';
import { call, type Endpoint, kubeTarget, type KubeTarget } from './support/kube-api-server';
import { createTenant, type TestTenant } from './support/tenants';

interface Bootstrap {
  token: string;
  controller: string;
  controllerCaPem: string;
  command: string;
  install: { namespace: string; release: string; secretName: string; kubectl: string; helm: string };
}

type KubeObject = Loose;

/** The API path of an object's resource, found through discovery as kubectl does. */
async function resourcePath(endpoint: Endpoint, object: KubeObject, namespace?: string): Promise<string> {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const discovery = await call(endpoint, 'GET', base);
  const resource = (
    discovery.body.resources as Array<{ name: string; kind: string; namespaced: boolean }>
  ).find((entry) => entry.kind === object.kind && !entry.name.includes('/'));
  if (!resource) throw new Error(`the API server does not serve ${object.apiVersion} ${object.kind}`);
  const ns = object.metadata.namespace ?? namespace;
  return resource.namespaced ? `${base}/namespaces/${ns}/${resource.name}` : `${base}/${resource.name}`;
}

/** Server-side apply, as `kubectl apply --server-side` and helm 4 do. */
async function apply(endpoint: Endpoint, object: KubeObject, fieldManager: string, namespace?: string) {
  const collection = await resourcePath(endpoint, object, namespace);
  const response = await call(
    endpoint,
    'PATCH',
    `${collection}/${object.metadata.name}?fieldManager=${fieldManager}&force=true`,
    { body: object, contentType: 'application/apply-patch+yaml' },
  );
  if (response.status >= 300)
    throw new Error(`applying ${object.kind} ${object.metadata.name}: ${response.status} ${response.text}`);
  return response.body as KubeObject;
}

/** Does what the recorded kubectl and helm calls would have done, against the API server. */
async function performInstall(endpoint: Endpoint, calls: ToolCall[]) {
  const created: KubeObject[] = [];
  let rendered: KubeObject[] = [];
  for (const recorded of calls) {
    const args = positionals(recorded.args);
    if (recorded.tool === 'kubectl' && args[0] === 'apply') continue; // applies what the create printed
    if (recorded.tool === 'kubectl' && args[0] === 'create' && args[1] === 'namespace') {
      expect(recorded.args).toContain('--dry-run=client');
      const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: args[2] } };
      created.push(await apply(endpoint, namespace, 'kubectl'));
    } else if (recorded.tool === 'kubectl' && args[0] === 'create' && args[1] === 'secret') {
      const secret = secretFromKubectl(recorded);
      const object = {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: { name: secret.name, namespace: secret.namespace },
        data: Object.fromEntries(
          Object.entries(secret.data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
        ),
      };
      created.push(await apply(endpoint, object, 'kubectl'));
    } else if (recorded.tool === 'helm' && args[0] === 'upgrade' && recorded.args.includes('--install')) {
      const [, release, chartPath] = args;
      const chartDir = path.resolve(projectRoot(), chartPath!);
      expect(path.dirname(chartDir)).toBe(path.join(projectRoot(), 'deploy/helm'));
      const namespace = flagValues(recorded.args, 'namespace')[0];
      expect(namespace).toBe('lattice-system'); // the renderer's Release.Namespace
      rendered = renderChart(loadChart(path.basename(chartDir)), helmSetValues(recorded), release);
      for (const object of rendered) created.push(await apply(endpoint, object, 'helm', namespace));
    } else {
      throw new Error(`unexpected command: ${recorded.tool} ${recorded.args.join(' ')}`);
    }
  }
  return { created, rendered };
}

/** The image's ENTRYPOINT without tini, `node` being the agent's Node binary. */
function imageEntrypoint(): string[] {
  const dockerfile = fs.readFileSync(path.join(projectRoot(), 'deploy/agent/Dockerfile'), 'utf8');
  const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
  const command = entrypoint.slice(entrypoint.indexOf('--') + 1);
  expect(command[0]).toBe('node');
  return command.slice(1);
}

describe('onboarding a cluster with the agent chart', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let kube: KubeTarget;
  let agent: ChildProcess | undefined;
  let agentOutput = '';
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-onboarding-'));

  beforeAll(async () => {
    database = await createTestDatabase();
    const grpcPort = await freePort();
    // An IP address, as many users give it: its TLS server name must not put text on stderr.
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: { LATTICE_PUBLIC_GRPC_ADDRESS: `127.0.0.1:${grpcPort}` },
    });
    controller.grpcPort = grpcPort;
    await controller.start();
    tenant = await createTenant(controller, 'onboarding');
    // Istio is installed before Lattice: its namespace exists.
    kube = await kubeTarget({
      resources: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } }],
    });
  }, 120_000);

  afterAll(async () => {
    if (agent && agent.exitCode === null) {
      const exited = new Promise((resolve) => agent!.once('exit', resolve));
      agent.kill('SIGKILL');
      await exited;
    }
    await kube?.close();
    await controller?.stop();
    await database?.drop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('installs from the registration answer and the agent becomes ready, logging only JSON', async () => {
    const registered = await controller.request('POST', '/v1/clusters', {
      token: tenant.adminToken,
      body: { name: 'east', eastWestAddress: '203.0.113.10' },
    });
    expect(registered.status).toBe(201);
    const { cluster, bootstrap } = registered.json as { cluster: { id: string }; bootstrap: Bootstrap };
    expect(bootstrap.command).toBe(`${bootstrap.install.kubectl}\n${bootstrap.install.helm}`);
    expect(bootstrap.command).not.toMatch(/npm run|lattice-ca\.pem/);

    // Paste.
    const calls = runWithRecordedTools(bootstrap.command);
    expect(calls.map((c) => `${c.tool} ${positionals(c.args).slice(0, 2).join(' ')}`)).toEqual([
      'kubectl create namespace',
      'kubectl apply',
      'kubectl create secret',
      'kubectl apply',
      'helm upgrade lattice-agent',
    ]);
    const { rendered } = await performInstall(kube.endpoint, calls);
    expect(rendered.map((o) => o.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'Service', // headless, the StatefulSet's serviceName
      'ServiceAccount',
      'StatefulSet',
    ]); // no chart-made Secret: the token stays out of the Helm release

    // What the kubelet would run: the StatefulSet's container as the API server has it.
    const statefulSetName = rendered.find((o) => o.kind === 'StatefulSet').metadata.name;
    const statefulSet = (
      await call(
        kube.endpoint,
        'GET',
        `/apis/apps/v1/namespaces/lattice-system/statefulsets/${statefulSetName}`,
      )
    ).body as KubeObject;
    const container = statefulSet.spec.template.spec.containers[0];
    const mounts = new Map<string, string>(
      container.volumeMounts.map((mount: { name: string; mountPath: string }) => {
        const dir = path.join(workDir, mount.name);
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        return [mount.mountPath, dir];
      }),
    );
    const env: Record<string, string> = {};
    for (const variable of container.env as Array<{ name: string; value?: string; valueFrom?: Loose }>) {
      if (variable.valueFrom) {
        const ref = variable.valueFrom.secretKeyRef;
        const secret = await call(
          kube.endpoint,
          'GET',
          `/api/v1/namespaces/lattice-system/secrets/${ref.name}`,
        );
        const encoded = secret.status === 200 ? secret.body.data?.[ref.key] : undefined;
        if (encoded === undefined) {
          expect(ref.optional).toBe(true);
          continue;
        }
        env[variable.name] = Buffer.from(encoded, 'base64').toString('utf8');
      } else {
        env[variable.name] = mounts.get(variable.value!) ?? variable.value!;
      }
    }
    expect(env).toMatchObject({
      LATTICE_CONTROLLER: bootstrap.controller,
      LATTICE_CLUSTER_NAME: 'east',
      LATTICE_BOOTSTRAP_TOKEN: bootstrap.token,
      LATTICE_INVENTORY: 'kubernetes',
      LATTICE_SINK: 'kubernetes',
      LATTICE_HTTP_PORT: String(container.ports[0].containerPort),
    });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });

    agent = spawn(process.execPath, imageEntrypoint(), {
      cwd: projectRoot(),
      env: { ...env, LATTICE_HTTP_PORT: '0', KUBECONFIG: kube.kubeconfigPath, PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    agent.stdout!.on('data', (chunk: Buffer) => (agentOutput += chunk.toString()));
    agent.stderr!.on('data', (chunk: Buffer) => (agentOutput += chunk.toString()));

    const port = await eventually(
      async () =>
        Number(/"port":(\d+),[^\n]*"msg":"serving \/healthz, \/readyz and \/metrics"/.exec(agentOutput)?.[1]),
      (value) => value > 0 || agent!.exitCode !== null,
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nagent output:\n${agentOutput}`);
    });
    expect(agent.exitCode).toBeNull();
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const readiness = await eventually(
      async () => {
        const response = await fetch(`${base}/readyz`);
        return { status: response.status, body: (await response.json()) as Loose };
      },
      (answer) => answer.status === 200 || agent!.exitCode !== null,
      60_000,
    );
    expect(readiness).toEqual({
      status: 200,
      body: expect.objectContaining({
        status: 'ready',
        reasons: [],
        connection: 'connected',
        inventorySynced: true,
      }),
    });

    const status = await eventually(
      async () =>
        (await controller.request('GET', `/v1/clusters/${cluster.id}`, { token: tenant.adminToken }))
          .json as Loose,
      (view) => view.status === 'CONNECTED' && view.inventory.namespaces > 0,
      30_000,
    );
    expect(status.inventory.namespaces).toBeGreaterThanOrEqual(6); // default, kube-*, istio-system, lattice-system

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('\nlattice_agent_controller_connected 1\n');
    expect(metrics).toContain('\nlattice_agent_inventory_synced 1\n');
    expect(metrics).toMatch(/\nprocess_cpu_seconds_total \d/);

    // Stops cleanly; every line it wrote is JSON in the controller's shape.
    const exited = new Promise<number | null>((resolve) => agent!.once('exit', (code) => resolve(code)));
    agent.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = agentOutput.split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      let record: Loose;
      try {
        record = JSON.parse(line);
      } catch {
        throw new Error(`a line of the agent's output is not JSON: ${line}`);
      }
      expect(record).toEqual(
        expect.objectContaining({
          level: expect.any(Number),
          time: expect.any(Number),
          pid: agent.pid,
          hostname: os.hostname(),
          service: 'lattice-agent',
          msg: expect.any(String),
        }),
      );
    }
  });
});
