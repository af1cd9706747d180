#!/usr/bin/env node
// `npm run demo`: the controller (embedded PostgreSQL, local redis-server), a tenant, two clusters
// running a bookinfo-like application with real agents (file inventory, directory sink), and a
// Global Namespace spanning both. State lives in .data/ and is reused by the next run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.resolve(process.env.LATTICE_DATA_DIR ?? path.join(root, '.data'));
const demoDir = path.join(dataDir, 'demo');
const statePath = path.join(demoDir, 'state.json');
const port = Number(process.env.PORT ?? 8080);
const grpcPort = Number(process.env.GRPC_PORT ?? 50051);
const base = `http://127.0.0.1:${port}`;
fs.mkdirSync(demoDir, { recursive: true });
const state = fs.existsSync(statePath) ? JSON.parse(fs.readFileSync(statePath, 'utf8')) : { clusters: {} };
const save = () => fs.writeFileSync(statePath, JSON.stringify(state, null, 2), { mode: 0o600 });
const children = [];

function run(name, args, env = {}) {
  const log = fs.openSync(path.join(demoDir, `${name}.log`), 'a');
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`${name} exited (${signal ?? code}); see ${path.join(demoDir, `${name}.log`)}`);
  });
  children.push(child);
  return child;
}

async function api(method, route, token, body) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json().catch(() => ({}));
  return { status: response.status, json };
}

async function waitReady(controller) {
  for (let i = 0; i < 300; i++) {
    if (controller.exitCode !== null) throw new Error(`the controller stopped; see ${path.join(demoDir, 'controller.log')}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the controller did not become ready within 150 s');
}

let stopping = false;
async function stop() {
  stopping = true;
  await Promise.all(children.map((child) => child.exitCode === null && new Promise((r) => (child.once('exit', r), child.kill('SIGTERM')))));
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

console.log('starting the Lattice controller (first run initialises PostgreSQL; this takes a moment)...');
const controller = run('controller', ['dist/apps/controller/src/main.js'], {
  LATTICE_DATA_DIR: dataDir,
  PORT: String(port),
  GRPC_PORT: String(grpcPort),
});
await waitReady(controller);
const operatorToken = process.env.LATTICE_OPERATOR_TOKEN ?? fs.readFileSync(path.join(dataDir, 'operator-token'), 'utf8').trim();

if (!state.adminToken) {
  const tenant = await api('POST', '/v1/tenants', operatorToken, { name: `demo-${Date.now().toString(36)}` });
  if (tenant.status !== 201) throw new Error(`creating the demo tenant: ${JSON.stringify(tenant.json)}`);
  state.tenant = tenant.json.tenant;
  state.adminToken = tenant.json.adminToken.token;
  save();
}
const token = state.adminToken;

for (const [name, address] of [['east', '198.51.100.10'], ['west', '198.51.100.20']]) {
  const agentDir = path.join(demoDir, 'agents', name);
  if (!state.clusters[name]) {
    const created = await api('POST', '/v1/clusters', token, { name, eastWestAddress: address, labels: { demo: 'true' } });
    if (created.status !== 201) throw new Error(`registering cluster ${name}: ${JSON.stringify(created.json)}`);
    fs.mkdirSync(agentDir, { recursive: true });
    fs.writeFileSync(path.join(agentDir, 'ca.pem'), created.json.bootstrap.controllerCaPem);
    state.clusters[name] = { id: created.json.cluster.id, bootstrapToken: created.json.bootstrap.token };
    save();
  }
  run(`agent-${name}`, [
    'dist/apps/agent/src/main.js',
    '--controller', `127.0.0.1:${grpcPort}`,
    '--cluster-name', name,
    '--bootstrap-token', state.clusters[name].bootstrapToken,
    '--ca-file', path.join(agentDir, 'ca.pem'),
    '--state-dir', path.join(agentDir, 'state'),
    '--inventory-file', path.join(root, 'deploy/demo', `${name}.yaml`),
    '--output-dir', path.join(demoDir, 'manifests', name),
  ]);
}

if (!state.gnsId) {
  const gns = await api('POST', '/v1/global-namespaces', token, {
    name: 'bookinfo',
    domain: 'bookinfo.lattice.local',
    description: 'bookinfo across east and west',
    matchConditions: [{ cluster: { type: 'REGEX', value: 'east|west' }, namespace: { type: 'EXACT', value: 'bookinfo' } }],
  });
  if (gns.status !== 201) throw new Error(`creating the Global Namespace: ${JSON.stringify(gns.json)}`);
  state.gnsId = gns.json.id;
  save();
}

console.log(`
Lattice demo is running. Press Ctrl-C to stop it (state is kept in ${dataDir}).

  REST API docs      ${base}/docs            (OpenAPI: ${base}/openapi.json)
  GraphQL            ${base}/graphql
  Metrics            ${base}/metrics
  Tenant token       ${token}
  Operator token     ${path.join(dataDir, 'operator-token')}
  Rendered manifests ${path.join(demoDir, 'manifests')}/{east,west}
  Logs               ${demoDir}/*.log

Try:
  curl -s ${base}/v1/clusters -H "Authorization: Bearer ${token}"
  curl -s ${base}/v1/global-namespaces/${state.gnsId}/services -H "Authorization: Bearer ${token}"
  edit deploy/demo/west.yaml and watch ${path.join(demoDir, 'manifests', 'east')} follow
`);
