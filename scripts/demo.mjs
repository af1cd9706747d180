#!/usr/bin/env node
// `npm run demo`: the controller (embedded PostgreSQL and a local redis-server unless DATABASE_URL /
// REDIS_URL are set), a tenant, three clusters with real agents (file inventory, directory sink,
// synthetic traffic) running a bookinfo-like application: `east` and `west` split the bookinfo
// services, `edge` runs the ingress gateway users come through. One Global Namespace spans the
// three, and two SLOs watch it. State lives in .data/ (LATTICE_DATA_DIR) and is reused next time.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.resolve(process.env.LATTICE_DATA_DIR ?? path.join(root, '.data'));
const demoDir = path.join(dataDir, 'demo');
const statePath = path.join(demoDir, 'state.json');
const port = Number(process.env.PORT ?? 8080);
const grpcPort = Number(process.env.GRPC_PORT ?? 50051);
const metricsPort = Number(process.env.METRICS_PORT ?? 9464);
const base = `http://127.0.0.1:${port}`;

const CLUSTERS = [
  {
    name: 'east',
    eastWestAddress: '198.51.100.10',
    labels: { demo: 'true', role: 'app', region: 'us-east' },
  },
  {
    name: 'west',
    eastWestAddress: '198.51.100.20',
    labels: { demo: 'true', role: 'app', region: 'us-west' },
  },
  {
    name: 'edge',
    eastWestAddress: '198.51.100.30',
    labels: { demo: 'true', role: 'ingress', region: 'us-east' },
  },
];
const GNS = {
  name: 'bookinfo',
  domain: 'bookinfo.lattice.local',
  description: 'bookinfo across east and west, entered through edge',
  matchConditions: [
    { cluster: { type: 'REGEX', value: 'east|west|edge' }, namespace: { type: 'EXACT', value: 'bookinfo' } },
  ],
};
const MEMBER_SERVICES = ['bookinfo-gateway', 'details', 'productpage', 'ratings', 'reviews'];
const SLOS = [
  {
    name: 'productpage-experience',
    description: 'users get product pages fast and without errors',
    services: ['productpage'],
    indicators: [
      { kind: 'LATENCY', percentile: 'p99', thresholdMs: 400 },
      { kind: 'ERROR_RATE', maxErrorRatePercent: 1 },
    ],
    targetPercent: 99.5,
    window: '30d',
    type: 'ACTIONABLE',
  },
  {
    name: 'ratings-availability',
    description: 'ratings fails 3 % of calls in the demo traffic: this one burns its budget',
    services: ['ratings'],
    indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
    targetPercent: 99,
    window: '30d',
    type: 'MONITORED',
  },
];

fs.mkdirSync(demoDir, { recursive: true });
let state = fs.existsSync(statePath) ? JSON.parse(fs.readFileSync(statePath, 'utf8')) : {};
state.clusters ??= {};
state.slos ??= {};
const save = () => fs.writeFileSync(statePath, JSON.stringify(state, null, 2), { mode: 0o600 });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const agents = [];
let controller;
let stopping = false;
let stoppingSince = 0;

function run(name, args, env = {}) {
  const logFile = path.join(demoDir, `${name}.log`);
  const log = fs.openSync(logFile, 'a');
  // Own process groups: a terminal's Ctrl-C reaches only this script, which stops them in order.
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
    detached: true,
  });
  fs.closeSync(log);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${name} exited (${signal ?? `code ${code}`}); see ${logFile}`);
    // Without the controller nothing works: stop the rest instead of hanging.
    if (child === controller) void stop(1);
  });
  return child;
}

function terminate(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** Agents first (they say goodbye to the controller), then the controller, which stops PostgreSQL and Redis. */
async function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  stoppingSince = Date.now();
  console.log('\nstopping the agents and the controller (Ctrl-C again to kill them)...');
  await Promise.all(agents.map(terminate));
  await terminate(controller);
  process.exit(exitCode);
}
/**
 * A second Ctrl-C does not wait for a child that hangs. Signals within a second of the first do not
 * count: npm and `timeout` may pass the same Ctrl-C on once more.
 */
function onSignal() {
  if (!stopping) return void stop(0);
  if (Date.now() - stoppingSince < 1000) return;
  // Each child leads its own process group (with the controller's PostgreSQL and Redis in it).
  for (const child of [...agents, controller]) {
    if (child?.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  process.exit(130);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

async function api(method, route, token, body, headers = {}) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json().catch(() => ({}));
  return { status: response.status, json, etag: response.headers.get('etag') };
}

function expectStatus(result, status, what) {
  if (result.status !== status)
    throw new Error(`${what}: HTTP ${result.status} ${JSON.stringify(result.json)}`);
  return result.json;
}

async function waitFor(what, check, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (stopping) return;
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(500);
  }
}

async function main() {
  console.log(
    process.env.DATABASE_URL
      ? 'starting the Lattice controller...'
      : 'starting the Lattice controller (the first run initialises PostgreSQL; this takes a moment)...',
  );
  controller = run('controller', ['dist/apps/controller/src/main.js'], {
    LATTICE_DATA_DIR: dataDir,
    PORT: String(port),
    GRPC_PORT: String(grpcPort),
    METRICS_PORT: String(metricsPort),
  });
  await waitFor('the controller to become ready', async () => (await fetch(`${base}/readyz`)).ok, 150_000);
  const operatorTokenFile = path.join(dataDir, 'operator-token');
  const operatorToken =
    process.env.LATTICE_OPERATOR_TOKEN ?? fs.readFileSync(operatorTokenFile, 'utf8').trim();

  // State from an earlier run belongs to the database it ran against: start over if its token is unknown here.
  if (state.adminToken && (await api('GET', '/v1/clusters', state.adminToken)).status === 401) {
    console.log('the saved demo tenant is not in this database; creating a new one');
    state = { clusters: {}, slos: {} };
    fs.rmSync(path.join(demoDir, 'agents'), { recursive: true, force: true });
    fs.rmSync(path.join(demoDir, 'manifests'), { recursive: true, force: true });
  }
  if (!state.adminToken) {
    const created = expectStatus(
      await api('POST', '/v1/tenants', operatorToken, { name: `demo-${Date.now().toString(36)}` }),
      201,
      'creating the demo tenant',
    );
    state.tenant = created.tenant;
    state.adminToken = created.adminToken.token;
    save();
  }
  const token = state.adminToken;

  for (const cluster of CLUSTERS) {
    const agentDir = path.join(demoDir, 'agents', cluster.name);
    const stateDir = path.join(agentDir, 'state');
    fs.mkdirSync(agentDir, { recursive: true });
    let bootstrapToken;
    if (!state.clusters[cluster.name]) {
      const created = expectStatus(
        await api('POST', '/v1/clusters', token, cluster),
        201,
        `registering cluster ${cluster.name}`,
      );
      fs.writeFileSync(path.join(agentDir, 'ca.pem'), created.bootstrap.controllerCaPem);
      state.clusters[cluster.name] = { id: created.cluster.id };
      save();
      bootstrapToken = created.bootstrap.token;
    } else if (!fs.existsSync(path.join(stateDir, 'cert.pem'))) {
      // Registered but the agent never finished registering (tokens live an hour): a fresh token.
      const issued = expectStatus(
        await api('POST', `/v1/clusters/${state.clusters[cluster.name].id}/bootstrap-tokens`, token),
        201,
        `issuing a bootstrap token for ${cluster.name}`,
      );
      fs.writeFileSync(path.join(agentDir, 'ca.pem'), issued.controllerCaPem);
      bootstrapToken = issued.token;
    }
    agents.push(
      run(
        `agent-${cluster.name}`,
        [
          'dist/apps/agent/src/main.js',
          '--controller',
          `127.0.0.1:${grpcPort}`,
          '--cluster-name',
          cluster.name,
          '--ca-file',
          path.join(agentDir, 'ca.pem'),
          '--state-dir',
          stateDir,
          '--inventory-file',
          path.join(root, 'deploy/demo', `${cluster.name}.yaml`),
          '--output-dir',
          path.join(demoDir, 'manifests', cluster.name),
          '--telemetry-synthetic',
          path.join(root, 'deploy/demo', `traffic-${cluster.name}.yaml`),
          // Three agents and the controller's metrics on one machine: any free port each.
          '--http-port',
          '0',
        ],
        // In the environment rather than the arguments, which `ps` shows to everyone.
        bootstrapToken ? { LATTICE_BOOTSTRAP_TOKEN: bootstrapToken } : {},
      ),
    );
  }

  // The Global Namespace: created once, brought back to this definition if an older demo made it differently.
  if (state.gnsId) {
    const current = await api('GET', `/v1/global-namespaces/${state.gnsId}`, token);
    if (current.status === 404) delete state.gnsId;
    else if (JSON.stringify(current.json.matchConditions) !== JSON.stringify(GNS.matchConditions)) {
      expectStatus(
        await api('PUT', `/v1/global-namespaces/${state.gnsId}`, token, GNS, { 'if-match': current.etag }),
        200,
        'updating the Global Namespace',
      );
    }
  }
  if (!state.gnsId) {
    state.gnsId = expectStatus(
      await api('POST', '/v1/global-namespaces', token, GNS),
      201,
      'creating the Global Namespace',
    ).id;
    save();
  }
  const gnsId = state.gnsId;

  console.log('waiting for the agents to connect and report their services...');
  await waitFor('every agent to connect', async () => {
    const { json } = await api('GET', '/v1/clusters', token);
    const connected = new Set((json.items ?? []).filter((c) => c.status === 'CONNECTED').map((c) => c.name));
    return CLUSTERS.every((cluster) => connected.has(cluster.name));
  });
  await waitFor('the member services of the Global Namespace', async () => {
    const { json } = await api('GET', `/v1/global-namespaces/${gnsId}/services`, token);
    const names = new Set((json.items ?? []).map((service) => service.name));
    return MEMBER_SERVICES.every((name) => names.has(name));
  });
  await waitFor('every agent to apply the latest configuration', async () => {
    const { json } = await api('GET', '/v1/clusters', token);
    return (json.items ?? []).every((c) => c.desiredVersion > 0 && c.appliedVersion === c.desiredVersion);
  });
  await waitFor('the rendered manifests of every cluster', async () =>
    CLUSTERS.every((cluster) => {
      const dir = path.join(demoDir, 'manifests', cluster.name);
      return fs.existsSync(dir) && fs.readdirSync(dir).some((file) => file.endsWith('.yaml'));
    }),
  );

  const sloNotes = [];
  for (const slo of SLOS) {
    if (state.slos[slo.name]) continue;
    const created = await api('POST', '/v1/slos', token, { ...slo, gnsId });
    if (created.status === 201) {
      state.slos[slo.name] = created.json.id;
      save();
    } else if (created.status === 404) {
      sloNotes.push('SLOs: this build has no SLO API (POST /v1/slos answered 404); skipped');
      break;
    } else
      sloNotes.push(
        `SLO ${slo.name} not created: HTTP ${created.status} ${JSON.stringify(created.json.message ?? created.json)}`,
      );
  }

  const hourAgo = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000).toISOString();
  const later = new Date(Date.parse(hourAgo) + 3 * 3_600_000).toISOString();
  const query = `{ topology(gnsId: "${gnsId}", from: "${hourAgo}", to: "${later}") { nodes { id clusterName service requestRate errorRate p99 } edges { sourceId destinationId requestRate errorRate p99 } } serviceMetrics(gnsId: "${gnsId}", service: "productpage", from: "${hourAgo}", to: "${later}", step: 300) { timestamp requestRate errorRate p50 p99 } }`;
  const sloIds = Object.values(state.slos);
  console.log(`
Lattice demo is ready. Press Ctrl-C to stop it (state is kept in ${dataDir}).

  REST API docs      ${base}/docs            (OpenAPI: ${base}/openapi.json)
  GraphQL            ${base}/graphql         (POST; same bearer token)
  Metrics            http://localhost:${metricsPort}/metrics   (management port, METRICS_PORT)
  Tenant token       ${token}
  Operator token     ${operatorTokenFile}
  Global Namespace   bookinfo (${gnsId}), clusters east, west, edge
  Rendered manifests ${path.join(demoDir, 'manifests')}/{east,west,edge}
  Logs               ${demoDir}/*.log
${sloNotes.map((note) => `  ${note}\n`).join('')}
Try (synthetic traffic arrives minute by minute; metrics show up after the first whole minute):
  curl -s ${base}/v1/clusters -H "Authorization: Bearer ${token}"
  curl -s ${base}/v1/global-namespaces/${gnsId}/services -H "Authorization: Bearer ${token}"
${sloIds.map((id) => `  curl -s ${base}/v1/slos/${id} -H "Authorization: Bearer ${token}"\n`).join('')}  curl -s ${base}/graphql -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' \\
    -d '${JSON.stringify({ query })}'
  edit deploy/demo/west.yaml and watch ${path.join(demoDir, 'manifests', 'east')} follow
`);
}

main().catch(async (error) => {
  if (stopping) return;
  console.error(`demo failed: ${error.message}`);
  await stop(1);
});
