#!/usr/bin/env node
// `npm run demo`: the controller (embedded PostgreSQL and a local redis-server unless DATABASE_URL /
// REDIS_URL are set), a tenant, three clusters with real agents (file inventory, directory sink,
// synthetic traffic) running a bookinfo-like application: `east` and `west` split the bookinfo
// services, `edge` runs the ingress gateway users come through. One Global Namespace spans the
// three, and two SLOs watch it (ratings' traffic comes with 6 days of history, so its SLO has a
// budget to burn: WARNING with a page). A local webhook receiver shows the signed alert deliveries, and a
// printed tour walks through topology, SLO burn, a canary, a CA rotation and a webhook. State lives
// in .data/ (LATTICE_DATA_DIR) and is reused next time.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.resolve(process.env.LATTICE_DATA_DIR ?? path.join(root, '.data'));
const demoDir = path.join(dataDir, 'demo');
const statePath = path.join(demoDir, 'state.json');
const port = Number(process.env.PORT ?? 8080);
const grpcPort = Number(process.env.GRPC_PORT ?? 50051);
const metricsPort = Number(process.env.METRICS_PORT ?? 9464);
const base = `http://127.0.0.1:${port}`;
const webhookPort = Number(process.env.DEMO_WEBHOOK_PORT ?? 0);

/**
 * Settings for the demo only, each printed with the banner; an environment variable of the same
 * name wins. Not for production: there a rotation must wait out the real workload-certificate
 * lifetime and webhooks must not reach private networks.
 */
const DEMO_SETTINGS = [
  {
    name: 'LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS',
    value: '30',
    why: 'a CA rotation drops the old root 30 s after every cluster moved (default 86400: Istio workload certificates live 24 h)',
  },
  {
    name: 'LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS',
    value: 'true',
    why: "the demo's webhook receiver listens on 127.0.0.1 (default false: only public addresses)",
  },
  {
    name: 'LATTICE_SLO_EVALUATION_INTERVAL_SECONDS',
    value: '15',
    why: 'SLO status refreshes every 15 s (default 60)',
  },
].map((setting) => ({ ...setting, value: process.env[setting.name] ?? setting.value }));

const CLUSTERS = [
  {
    name: 'east',
    eastWestAddress: '198.51.100.10',
    // Each cluster its own network (multi-network: remote endpoints go through the east-west
    // gateway) and locality (local-first, then the nearest cluster: docs/multi-network.md).
    network: 'net-east',
    region: 'us-east-1',
    zone: 'us-east-1a',
    labels: { demo: 'true', role: 'app', region: 'us-east' },
  },
  {
    name: 'west',
    eastWestAddress: '198.51.100.20',
    network: 'net-west',
    region: 'us-west-2',
    zone: 'us-west-2a',
    labels: { demo: 'true', role: 'app', region: 'us-west' },
  },
  {
    name: 'edge',
    eastWestAddress: '198.51.100.30',
    network: 'net-edge',
    region: 'us-east-1',
    zone: 'us-east-1b',
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
    noDataPolicy: 'IGNORE',
  },
  {
    name: 'ratings-availability',
    description: 'ratings started failing 3 % of calls 10 minutes before the demo: this one burns its budget',
    services: ['ratings'],
    indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
    targetPercent: 99,
    window: '30d',
    type: 'MONITORED',
    // Judged on the minutes with traffic: with GOOD, the quiet rest of the 30-day window would
    // make it look 99.97 % compliant while every minute with traffic fails.
    noDataPolicy: 'IGNORE',
  },
];
const CANARY = {
  subsets: ['v1', 'v2', 'v3'].map((version) => ({ name: version, labels: { version } })),
  routes: [
    {
      destinations: [
        { subset: 'v1', weight: 80 },
        { subset: 'v2', weight: 10 },
        { subset: 'v3', weight: 10 },
      ],
    },
  ],
};

fs.mkdirSync(demoDir, { recursive: true });
let state = fs.existsSync(statePath) ? JSON.parse(fs.readFileSync(statePath, 'utf8')) : {};
state.clusters ??= {};
state.slos ??= {};
const save = () => fs.writeFileSync(statePath, JSON.stringify(state, null, 2), { mode: 0o600 });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const agents = [];
let controller;
let receiver;
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
  receiver?.close();
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

const deliveriesLog = path.join(demoDir, 'webhook-deliveries.jsonl');

/** Checks `X-Lattice-Signature` as a receiver must (docs/webhooks.md): HMAC-SHA256 of `<t>.<raw body>`, at most 5 minutes old. */
function signatureValid(secret, header, rawBody) {
  if (!secret || typeof header !== 'string') return false;
  const part = (key) =>
    header
      .split(',')
      .find((item) => item.startsWith(`${key}=`))
      ?.slice(key.length + 1);
  const [t, v1] = [part('t'), part('v1')];
  if (!t || !v1 || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const expected = crypto.createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  return (
    crypto.timingSafeEqual(Buffer.from(v1, 'hex'), Buffer.from(expected, 'hex')) &&
    Math.abs(Date.now() / 1000 - Number(t)) <= 300
  );
}

function describeEvent(event) {
  if (event?.type === 'webhook.test') return `webhook.test for endpoint ${event.webhook?.name}`;
  if (event?.alert && event.slo) {
    const rate = (value) => (typeof value === 'number' ? `${value.toFixed(1)}x` : 'n/a');
    const left = (100 * event.slo.budgetRemainingFraction).toFixed(1);
    return (
      `${event.type} ${event.slo.name}: ${event.alert.rule} (${event.alert.severity}), burn ` +
      `${rate(event.alert.longWindowBurnRate)} long / ${rate(event.alert.shortWindowBurnRate)} short ` +
      `(threshold ${rate(event.alert.threshold)}), ${event.slo.status}, budget left ${left} %`
    );
  }
  return event?.type ?? 'an event that is not JSON';
}

/**
 * The demo's webhook receiver on 127.0.0.1: verifies each delivery's signature with the secret the
 * demo's endpoint got at creation, prints it and appends it to webhook-deliveries.jsonl.
 */
function startReceiver() {
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = request.headers['x-lattice-signature'];
      const verified = signatureValid(state.webhook?.secret, signature, body);
      let event = null;
      try {
        event = JSON.parse(body);
      } catch {
        // described as not JSON below
      }
      const delivery = request.headers['x-lattice-delivery'];
      fs.appendFileSync(
        deliveriesLog,
        `${JSON.stringify({ receivedAt: new Date().toISOString(), delivery, verified, signature, body })}\n`,
      );
      console.log(
        `webhook ${verified ? 'received, signature verified' : 'REFUSED: signature does not verify'}: ${describeEvent(event)}`,
      );
      response.writeHead(verified ? 204 : 401).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(webhookPort, '127.0.0.1', () => resolve(server));
  });
}

/** The demo's webhook endpoint, pointed at this run's receiver (its port may change between runs; the secret stays). */
async function ensureWebhook(token, url) {
  const spec = { name: 'demo-receiver', url, enabled: true };
  if (state.webhook) {
    const current = await api('GET', `/v1/webhooks/${state.webhook.id}`, token);
    if (current.status === 200 && state.webhook.secret) {
      if (current.json.url !== url || !current.json.enabled) {
        expectStatus(
          await api('PUT', `/v1/webhooks/${state.webhook.id}`, token, spec, { 'if-match': current.etag }),
          200,
          "pointing the demo webhook at this run's receiver",
        );
      }
      return;
    }
    delete state.webhook;
  }
  const created = expectStatus(
    await api('POST', '/v1/webhooks', token, spec),
    201,
    'creating the demo webhook',
  );
  // The secret is shown only once; state.json is readable by this user only.
  state.webhook = { id: created.id, secret: created.secret };
  save();
}

/** Whether ratings has stored traffic from five days ago (only the back-filled history reaches that far). */
async function ratingsHistoryStored(token, gnsId) {
  const hour = 3_600_000;
  const from = new Date(Math.floor(Date.now() / hour) * hour - 5 * 24 * hour);
  const to = new Date(from.getTime() + 6 * hour);
  const query = `query($gns: ID!, $from: DateTime!, $to: DateTime!) { serviceMetrics(gnsId: $gns, service: "ratings", from: $from, to: $to, step: 3600) { requestRate } }`;
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      query,
      variables: { gns: gnsId, from: from.toISOString(), to: to.toISOString() },
    }),
  });
  const points = (await response.json())?.data?.serviceMetrics ?? [];
  return points.some((point) => point.requestRate > 0);
}

/** Creates the demo SLOs, or brings one an older demo made differently (e.g. without a no-data policy) to its definition. */
async function ensureSlos(token, gnsId) {
  const notes = [];
  for (const slo of SLOS) {
    const body = { ...slo, gnsId };
    const id = state.slos[slo.name];
    if (id) {
      const current = await api('GET', `/v1/slos/${id}`, token);
      if (current.status === 200) {
        const differs = Object.keys(body).some(
          (key) => JSON.stringify(current.json[key]) !== JSON.stringify(body[key]),
        );
        if (differs) {
          const updated = await api('PUT', `/v1/slos/${id}`, token, body, { 'if-match': current.etag });
          if (updated.status !== 200)
            notes.push(`SLO ${slo.name} not updated: HTTP ${updated.status} ${JSON.stringify(updated.json)}`);
        }
        continue;
      }
      delete state.slos[slo.name];
    }
    const created = await api('POST', '/v1/slos', token, body);
    if (created.status === 201) {
      state.slos[slo.name] = created.json.id;
      save();
    } else
      notes.push(
        `SLO ${slo.name} not created: HTTP ${created.status} ${JSON.stringify(created.json.message ?? created.json)}`,
      );
  }
  return notes;
}

async function main() {
  receiver = await startReceiver();
  const receiverUrl = `http://127.0.0.1:${receiver.address().port}/lattice`;

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
    ...Object.fromEntries(DEMO_SETTINGS.map((setting) => [setting.name, setting.value])),
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

  // The ratings SLO is judged on its history (docs/slos.md): on a first run, create it once the
  // west agent's back-filled history is stored, so its first verdict already sees it.
  const historyNote = state.slos['ratings-availability']
    ? null
    : await waitFor(
        'the ratings history the west agent back-fills',
        () => ratingsHistoryStored(token, gnsId),
        120_000,
      ).then(
        () => null,
        (error) => `${error.message}: the ratings SLO is judged without it until it arrives`,
      );
  const notes = await ensureSlos(token, gnsId);
  if (historyNote) notes.push(historyNote);
  // E.g. LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS=false in the environment refuses the receiver: say so, go on.
  const webhookNote = await ensureWebhook(token, receiverUrl).then(
    () => null,
    (error) => `webhook receiver not registered (${error.message}); step 5 needs it`,
  );
  if (webhookNote) notes.push(webhookNote);
  const webhookId = state.webhook?.id ?? '<webhook id>';

  const hourAgo = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000).toISOString();
  const later = new Date(Date.parse(hourAgo) + 3 * 3_600_000).toISOString();
  const query = `{ topology(gnsId: "${gnsId}", from: "${hourAgo}", to: "${later}") { nodes { id clusterName service requestRate errorRate p99 } edges { sourceId destinationId requestRate errorRate p99 } } serviceMetrics(gnsId: "${gnsId}", service: "productpage", from: "${hourAgo}", to: "${later}", step: 300) { timestamp requestRate errorRate p50 p99 } }`;
  const manifests = path.join(demoDir, 'manifests');
  const ratingsQuery = `{ slo(id: "${state.slos['ratings-availability']}") { name noDataPolicy status { health compliance meetsTarget budget { remainingFraction } burnRates { window rate } activeAlerts { rule severity firedAt } } } }`;
  const settingWidth = Math.max(...DEMO_SETTINGS.map((setting) => `${setting.name}=${setting.value}`.length));
  const caStage = `curl -s "$LATTICE/v1/global-namespaces/$GNS/ca" -H "$AUTH" | grep -o '"stage":"[A-Z_]*"' | head -1`;
  console.log(`
Lattice demo is ready. Press Ctrl-C to stop it (state is kept in ${dataDir}).

  Web console        ${base}/console/#token=${token}
                     (one-click sign-in: the console moves the token into this tab's sessionStorage and
                     strips it from the address bar; the link itself is a credential, docs/console.md)
  REST API docs      ${base}/docs            (OpenAPI: ${base}/openapi.json)
  GraphQL            ${base}/graphql         (POST; same bearer token)
  Metrics            http://localhost:${metricsPort}/metrics   (management port, METRICS_PORT)
  Tenant token       ${token}
  Operator token     ${operatorTokenFile}
  Global Namespace   bookinfo (${gnsId}), clusters east, west, edge
  Rendered manifests ${manifests}/{east,west,edge}
  Webhook receiver   ${receiverUrl}   (deliveries print here; all in ${deliveriesLog})
  Logs               ${demoDir}/*.log
${notes.map((note) => `  ${note}\n`).join('')}
Demo-only settings (a variable of the same name in the environment wins; not for production):
${DEMO_SETTINGS.map((setting) => `  ${`${setting.name}=${setting.value}`.padEnd(settingWidth)}  ${setting.why}`).join('\n')}

Tour, about five minutes: paste the $ lines into bash (curl needed). Synthetic traffic arrives minute
by minute; the numbers show up after the first whole minute.

  $ export LATTICE=${base} GNS=${gnsId} AUTH="Authorization: Bearer ${token}"

1. Topology: who calls whom across east, west and edge, with request rate, error rate and p99.
  $ curl -s $LATTICE/graphql -H "$AUTH" -H 'Content-Type: application/json' -d '${JSON.stringify({ query })}'

2. SLO burn: ratings fails 3 % of its calls against a 1 % objective, so every minute with traffic is
   bad. It did not always: the west agent sent 6 days of ratings history at 0.2 % errors, failing
   for the last 10 minutes (deploy/demo/traffic-west.yaml). Judged on the minutes with traffic
   (no-data policy IGNORE), the 30-day budget is 90 bad minutes with 10 spent: WARNING, and the
   PAGE_1H_5M alert fires at once (1-hour burn rate 16.7 > 14.4); its signed webhook delivery prints
   in this terminal. Left burning, it turns VIOLATED after about 80 minutes. (On the first run it
   has no status for a few seconds: an SLO is judged once its series has read that history.)
  $ curl -s $LATTICE/graphql -H "$AUTH" -H 'Content-Type: application/json' -d '${JSON.stringify({ query: ratingsQuery })}'

3. A canary: 80 % of the calls to reviews go to v1, 10 % each to v2 and v3. The agents render it as
   an Istio VirtualService within seconds (the DELETE makes the step repeatable).
  $ curl -s -X DELETE $LATTICE/v1/global-namespaces/$GNS/traffic-policies/reviews -H "$AUTH"
  $ curl -s -X PUT $LATTICE/v1/global-namespaces/$GNS/traffic-policies/reviews -H "$AUTH" -H 'Content-Type: application/json' -d '${JSON.stringify(CANARY)}'
  $ sleep 5; grep -h -A2 'subset:' ${manifests}/edge/virtualservice.*reviews*.yaml

4. Rotate the root CA of the GNS: TRUST_BOTH -> ISSUING_NEW -> DROP_OLD -> IDLE, every cluster on the
   new root without a failed handshake, in about a minute here (LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS).
  $ curl -s -X POST $LATTICE/v1/global-namespaces/$GNS/ca/rotate -H "$AUTH"
  $ while stage=$(${caStage}); echo "$stage"; [ "$stage" != '"stage":"IDLE"' ]; do sleep 5; done

5. Webhooks: a test event to the demo's receiver (it prints here, signature verified), then every
   delivery with its attempts, including the SLO alerts of step 2.
  $ curl -s -X POST $LATTICE/v1/webhooks/${webhookId}/test -H "$AUTH"
  $ curl -s $LATTICE/v1/webhooks/${webhookId}/deliveries -H "$AUTH"

6. Preflight diagnostics of the GNS across its clusters: trust-domain aliases, DNS capture, networks,
   east-west gateways, Istio versions, port conflicts, each finding with its fix (docs/diagnostics.md).
   The demo's agents report their Istio installation from the mesh: sections of deploy/demo/*.yaml.
  $ curl -s $LATTICE/v1/global-namespaces/$GNS/diagnostics -H "$AUTH"

More: edit deploy/demo/west.yaml and watch ${path.join(manifests, 'east')} follow; docs/ explains each feature.
`);
}

main().catch(async (error) => {
  if (stopping) return;
  console.error(`demo failed: ${error.message}`);
  await stop(1);
});
