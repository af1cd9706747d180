// Checks deploy/helm/* with the real helm (scripts/ensure-helm.mjs): `helm lint --strict`,
// values.yaml against values.schema.json (ajv), every template rendered by `helm template` over
// several value sets, each object validated by kubernetes-models (required fields, types, formats)
// and by a strict field check (unknown fields fail), and the rendered configuration fed to the real
// controller/agent configuration parsers. The agent's RBAC is compared with what its code does.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { AGENT_USAGE, parseAgentConfig } from '../../apps/agent/src/config/agent-config';
import { DEFAULT_MANAGED_KINDS } from '../../apps/agent/src/sink/kubernetes-prune.util';
import { AUTOSCALER_API_ACCESS } from '../../apps/agent/src/autoscaling/kubernetes-autoscaling.client';
import {
  controllerEnvSchema,
  parseControllerEnv,
} from '../../apps/controller/src/platform/config/controller-env.util';
import {
  type Chart,
  find,
  type KubeObject,
  type Loose,
  loadChart,
  renderChart,
  renderNotes,
  helm,
  strictFieldProblems,
} from './support/charts';
import YAML from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
const OPERATOR_TOKEN = 'op-'.padEnd(40, 'x');
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

const controllerSecrets = {
  secrets: {
    masterKey: MASTER_KEY,
    operatorToken: OPERATOR_TOKEN,
    databaseUrl: 'postgresql://lattice:pw@postgres:5432/lattice',
    redisUrl: 'redis://redis:6379',
  },
};
const agentRequired = {
  controller: { address: 'lattice-grpc.example.com:443', caCert: CA_PEM },
  clusterName: 'east',
  bootstrap: { token: 'lat_boot_abc' },
};

/** Custom resources the chart may render (Prometheus Operator), validated by their own CRD schemas. */
const CUSTOM_RESOURCE_GROUPS = new Set(['monitoring.coreos.com/v1']);

/** kubernetes-models' class for a kind (one module per kind, so looked up by path). */
const kubernetesModel = (apiVersion: string, kind: string) =>
  CUSTOM_RESOURCE_GROUPS.has(apiVersion)
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(`@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`)[kind]
    : // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(`kubernetes-models/${apiVersion}/${kind}`)[kind];

/** Required fields, types and formats per kubernetes-models, plus the strict unknown-field check. */
function expectValidKubernetes(objects: KubeObject[]): void {
  const problems: string[] = [];
  for (const object of objects) {
    try {
      new (kubernetesModel(object.apiVersion, object.kind))(object).validate();
    } catch (error) {
      problems.push(`${object.kind}/${object.metadata.name}: ${(error as Error).message}`);
    }
  }
  // The strict field check knows the built-in kinds; custom resources had their CRD schema above.
  problems.push(
    ...strictFieldProblems(objects.filter((object) => !CUSTOM_RESOURCE_GROUPS.has(object.apiVersion))),
  );
  expect(problems).toEqual([]);
}

function validator(chart: Chart) {
  const validate = new Ajv({ allErrors: true, strict: true }).compile(chart.schema);
  return (values: unknown) =>
    validate(values) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

type Container = {
  name: string;
  image: string;
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>;
  ports?: Array<{ name: string; containerPort: number }>;
  securityContext: Record<string, unknown>;
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
  startupProbe?: { httpGet: { path: string; port: string } };
  volumeMounts: Array<{ name: string; mountPath: string }>;
};
const podSpec = (workload: KubeObject) => (workload.spec as Loose).template.spec;
const container = (workload: KubeObject): Container => podSpec(workload).containers[0];

/** The container's environment with Secret references resolved from the rendered Secret (or `external`). */
function resolvedEnv(objects: KubeObject[], workload: KubeObject, external: Record<string, string> = {}) {
  const env: Record<string, string> = {};
  for (const variable of container(workload).env) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else {
      const ref = variable.valueFrom!.secretKeyRef;
      const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === ref.name) as
        (KubeObject & { data: Record<string, string> }) | undefined;
      const value = secret ? Buffer.from(secret.data[ref.key] ?? '', 'base64').toString() : external[ref.key];
      if (value !== undefined && value !== '') env[variable.name] = value;
    }
  }
  return env;
}

function expectHardenedPod(workload: KubeObject): void {
  const pod = podSpec(workload);
  expect(pod.securityContext).toMatchObject({
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
  expect(container(workload).securityContext).toEqual({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  });
  expect(container(workload).image).not.toMatch(/:latest"?$/);
  // The read-only root needs a writable /tmp.
  expect(container(workload).volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
}

function expectSelectsPods(selector: Record<string, string>, workload: KubeObject): void {
  const labels = (workload.spec as Loose).template.metadata.labels as Record<string, string>;
  expect(Object.keys(selector).length).toBeGreaterThan(0);
  for (const [key, value] of Object.entries(selector)) expect(labels[key]).toBe(value);
}

describe('helm chart lattice-controller', () => {
  const chart = loadChart('lattice-controller');
  const validateValues = validator(chart);

  it('has default values that satisfy its schema, and the schema refuses bad ones', () => {
    expect(validateValues(chart.defaults)).toEqual([]);
    expect(validateValues({ ...chart.defaults, ...controllerSecrets })).toEqual([]);
    expect(validateValues({ ...chart.defaults, replicaCount: 'two' })).toEqual([
      '/replicaCount must be integer',
    ]);
    expect(validateValues({ ...chart.defaults, replicas: 2 })).toEqual([
      ' must NOT have additional properties',
    ]);
    expect(
      validateValues({ ...chart.defaults, image: { repository: 'x', tag: 'latest' } }).length,
    ).toBeGreaterThan(0);
    expect(validateValues({ ...chart.defaults, secrets: { masterKey: 'short' } }).length).toBeGreaterThan(0);
    expect(
      validateValues({
        ...chart.defaults,
        config: { ...(chart.defaults.config as object), logLevel: 'loud' },
      }).length,
    ).toBeGreaterThan(0);
  });

  it('renders valid objects: Deployment, HTTP, gRPC and metrics Services, Secret and PodDisruptionBudget', () => {
    const objects = renderChart(chart, controllerSecrets);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/prod-lattice-controller',
      'PodDisruptionBudget/prod-lattice-controller',
      'Secret/prod-lattice-controller',
      'Service/prod-lattice-controller',
      'Service/prod-lattice-controller-grpc',
      'Service/prod-lattice-controller-metrics',
    ]);
    expectValidKubernetes(objects);
  });

  it('gives the controller an environment its own configuration parser accepts, secrets from the Secret', () => {
    const objects = renderChart(chart, controllerSecrets);
    const deployment = find(objects, 'Deployment');
    const env = resolvedEnv(objects, deployment);
    const known = Object.keys(controllerEnvSchema.shape);
    expect(Object.keys(env).filter((name) => !known.includes(name))).toEqual([]);
    const parsed = parseControllerEnv(env);
    expect(parsed).toMatchObject({
      NODE_ENV: 'production',
      LATTICE_MASTER_KEY: MASTER_KEY,
      LATTICE_OPERATOR_TOKEN: OPERATOR_TOKEN,
      DATABASE_URL: controllerSecrets.secrets.databaseUrl,
      REDIS_URL: controllerSecrets.secrets.redisUrl,
      LATTICE_GRPC_HOSTNAMES: [
        'localhost',
        '127.0.0.1',
        'prod-lattice-controller-grpc',
        'prod-lattice-controller-grpc.lattice-system.svc',
      ],
    });
    for (const name of ['LATTICE_MASTER_KEY', 'LATTICE_OPERATOR_TOKEN', 'DATABASE_URL', 'REDIS_URL']) {
      expect(container(deployment).env.find((v) => v.name === name)?.valueFrom).toBeDefined();
    }
    // The ports the process listens on are the ones declared and exposed.
    expect(container(deployment).ports).toEqual([
      { name: 'http', containerPort: parsed.PORT, protocol: 'TCP' },
      { name: 'grpc', containerPort: parsed.GRPC_PORT, protocol: 'TCP' },
      { name: 'metrics', containerPort: parsed.METRICS_PORT, protocol: 'TCP' },
    ]);
    // After SIGTERM the controller serves SHUTDOWN_DRAIN_MS with readiness failing, then closes within
    // SHUTDOWN_GRACE_MS (+5 s at most); Kubernetes must wait longer than that before SIGKILL.
    expect(parsed.SHUTDOWN_DRAIN_MS).toBeGreaterThan(0);
    expect(podSpec(deployment).terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      parsed.SHUTDOWN_DRAIN_MS + parsed.SHUTDOWN_GRACE_MS + 5000,
    );
  });

  it('probes the health routes the controller serves and selects its own pods', () => {
    const objects = renderChart(chart, { ...controllerSecrets, replicaCount: 3 });
    const deployment = find(objects, 'Deployment');
    const health = fs.readFileSync(
      path.join(ROOT, 'apps/controller/src/platform/health/health.controller.ts'),
      'utf8',
    );
    const routes = [...health.matchAll(/@Get\('([^']+)'\)/g)].map((m) => `/${m[1]}`);
    const c = container(deployment);
    expect(routes).toEqual(
      expect.arrayContaining([
        c.livenessProbe!.httpGet.path,
        c.readinessProbe!.httpGet!.path,
        c.startupProbe!.httpGet.path,
      ]),
    );
    expect(c.livenessProbe!.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe!.httpGet!.path).toBe('/readyz');
    expect((deployment.spec as Loose).replicas).toBe(3);
    expectHardenedPod(deployment);
    for (const name of [
      'prod-lattice-controller',
      'prod-lattice-controller-grpc',
      'prod-lattice-controller-metrics',
    ]) {
      const service = find(objects, 'Service', name) as Loose;
      expectSelectsPods(service.spec.selector, deployment);
      for (const port of service.spec.ports) expect(c.ports!.map((p) => p.name)).toContain(port.targetPort);
    }
    expectSelectsPods((find(objects, 'PodDisruptionBudget').spec as Loose).selector.matchLabels, deployment);
    expectSelectsPods((deployment.spec as Loose).selector.matchLabels, deployment);
  });

  it('uses an existing Secret instead of creating one, and renders the optional parts', () => {
    const objects = renderChart(chart, {
      secrets: { existingSecret: 'lattice-secrets' },
      podDisruptionBudget: { enabled: false },
      extraEnv: [{ name: 'LATTICE_TELEMETRY_MINUTE_RETENTION_DAYS', value: '14' }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'lattice', effect: 'NoSchedule' }],
      podAnnotations: { 'prometheus.io/scrape': 'true' },
      imagePullSecrets: [{ name: 'registry' }],
      grpcService: {
        type: 'LoadBalancer',
        annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' },
      },
      image: { repository: 'registry.example.com/lattice-controller', tag: '0.1.0-rc1' },
    });
    expectValidKubernetes(objects);
    expect(objects.filter((o) => o.kind === 'Secret' || o.kind === 'PodDisruptionBudget')).toEqual([]);
    const deployment = find(objects, 'Deployment');
    for (const variable of container(deployment).env.filter((v) => v.valueFrom)) {
      expect(variable.valueFrom!.secretKeyRef.name).toBe('lattice-secrets');
    }
    expect(container(deployment).image).toBe('registry.example.com/lattice-controller:0.1.0-rc1');
    expect(podSpec(deployment).nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(container(deployment).env).toContainEqual({
      name: 'LATTICE_TELEMETRY_MINUTE_RETENTION_DAYS',
      value: '14',
    });
    expect((find(objects, 'Service', 'prod-lattice-controller-grpc').spec as Loose).type).toBe(
      'LoadBalancer',
    );
    const env = resolvedEnv(objects, deployment, {
      LATTICE_MASTER_KEY: MASTER_KEY,
      LATTICE_OPERATOR_TOKEN: OPERATOR_TOKEN,
      DATABASE_URL: 'postgresql://db/lattice',
      REDIS_URL: 'redis://redis:6379',
    });
    expect(() => parseControllerEnv(env)).not.toThrow();
  });

  it('passes helm lint --strict with the defaults and with everything switched on', () => {
    const everything = {
      secrets: { existingSecret: 'lattice-secrets' },
      autoscaling: { enabled: true },
      migrationJob: { enabled: true },
      networkPolicy: { enabled: true },
      monitoring: {
        labels: { release: 'kube-prometheus-stack' },
        serviceMonitor: { enabled: true },
        prometheusRule: { enabled: true },
        dashboards: { enabled: true },
      },
    };
    for (const values of [controllerSecrets, everything]) {
      expect(helm(['lint', '--strict'], chart, values)).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('renders autoscaling, the migration Job, the NetworkPolicy and the monitoring objects when asked', () => {
    const objects = renderChart(chart, {
      secrets: { existingSecret: 'lattice-secrets' },
      autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 9 },
      migrationJob: { enabled: true },
      networkPolicy: { enabled: true },
      monitoring: {
        serviceMonitor: { enabled: true },
        prometheusRule: { enabled: true },
        dashboards: { enabled: true },
      },
    });
    expectValidKubernetes(objects);
    const deployment = find(objects, 'Deployment');
    // The HPA owns the replica count; the Job migrates, so the replicas do not.
    expect((deployment.spec as Loose).replicas).toBeUndefined();
    const hpa = find(objects, 'HorizontalPodAutoscaler').spec as Loose;
    expect([hpa.scaleTargetRef.name, hpa.minReplicas, hpa.maxReplicas]).toEqual([
      deployment.metadata.name,
      3,
      9,
    ]);
    expect(container(deployment).env).toContainEqual({ name: 'LATTICE_MIGRATE_ON_START', value: 'false' });
    const job = find(objects, 'Job');
    expect(job.metadata).toMatchObject({
      annotations: { 'helm.sh/hook': 'pre-install,pre-upgrade' },
    });
    expect(container(job)).toMatchObject({
      command: ['node', 'dist/apps/controller/src/migrate.js'],
      image: container(deployment).image,
      securityContext: container(deployment).securityContext,
    });
    expect(fs.existsSync(path.join(ROOT, 'apps/controller/src/migrate.ts'))).toBe(true);
    const policy = find(objects, 'NetworkPolicy').spec as Loose;
    expectSelectsPods(policy.podSelector.matchLabels, deployment);
    // The ServiceMonitor selects the metrics Service only, on its port.
    const monitor = find(objects, 'ServiceMonitor').spec as Loose;
    const selected = objects.filter(
      (o) =>
        o.kind === 'Service' &&
        Object.entries(monitor.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v),
    );
    expect(selected.map((service) => service.metadata.name)).toEqual(['prod-lattice-controller-metrics']);
    expect(monitor.endpoints[0].port).toBe('metrics');
    const rules = YAML.parse(fs.readFileSync(path.join(chart.dir, 'files/alerts.yaml'), 'utf8'));
    expect((find(objects, 'PrometheusRule').spec as Loose).groups).toEqual(rules.groups);
    const dashboards = find(objects, 'ConfigMap', 'prod-lattice-controller-dashboards') as Loose;
    expect(dashboards.metadata.labels.grafana_dashboard).toBe('1');
    expect(Object.keys(dashboards.data).sort()).toEqual(
      fs.readdirSync(path.join(chart.dir, 'files/dashboards')).sort(),
    );
  });

  it('spreads replicas over zones and nodes, and rolls pods when the chart-made Secret changes', () => {
    const checksum = (values: unknown) =>
      (find(renderChart(chart, values), 'Deployment').spec as Loose).template.metadata.annotations[
        'checksum/secret'
      ];
    const deployment = find(renderChart(chart, controllerSecrets), 'Deployment');
    const spread = podSpec(deployment).topologySpreadConstraints as Loose[];
    expect(spread.map((c) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    for (const constraint of spread) expectSelectsPods(constraint.labelSelector.matchLabels, deployment);
    expect(checksum(controllerSecrets)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum({ secrets: { ...controllerSecrets.secrets, redisUrl: 'redis://other:6379' } })).not.toBe(
      checksum(controllerSecrets),
    );
  });

  it('deploys the api, agent-gateway and worker roles separately, each Service on its role', () => {
    const objects = renderChart(chart, {
      ...controllerSecrets,
      roles: { separate: true, api: { replicas: 3 }, agentGateway: { replicas: 4 }, worker: { replicas: 1 } },
      autoscaling: { enabled: true },
    });
    expectValidKubernetes(objects);
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    const byRole: Record<string, { name: string; replicas: number | undefined; deployment: KubeObject }> =
      Object.fromEntries(
        deployments.map((d) => [
          container(d).env.find((v) => v.name === 'LATTICE_ROLES')!.value,
          { name: d.metadata.name, replicas: (d.spec as Loose).replicas, deployment: d },
        ]),
      );
    expect(Object.keys(byRole).sort()).toEqual(['agent-gateway', 'api', 'worker']);
    // The API is autoscaled (no fixed count); the others run as many replicas as asked.
    expect([byRole.api!.replicas, byRole['agent-gateway']!.replicas, byRole.worker!.replicas]).toEqual([
      undefined,
      4,
      1,
    ]);
    expect((find(objects, 'HorizontalPodAutoscaler').spec as Loose).scaleTargetRef.name).toBe(
      byRole.api!.name,
    );
    // Each role's configuration passes the controller's own parser.
    for (const { deployment } of Object.values(byRole)) {
      expect(() => parseControllerEnv(resolvedEnv(objects, deployment))).not.toThrow();
    }
    const selects = (service: string, role: string) => {
      const selector = (find(objects, 'Service', service).spec as Loose).selector as Record<string, string>;
      return deployments
        .filter((d) =>
          Object.entries(selector).every(([k, v]) => (d.spec as Loose).template.metadata.labels[k] === v),
        )
        .map((d) => d.metadata.name)
        .concat(role);
    };
    expect(selects('prod-lattice-controller', 'api')).toEqual([byRole.api!.name, 'api']);
    expect(selects('prod-lattice-controller-grpc', 'agent-gateway')).toEqual([
      byRole['agent-gateway']!.name,
      'agent-gateway',
    ]);
    expect(selects('prod-lattice-controller-metrics', 'all').length).toBe(4);
    // A PodDisruptionBudget per role, each selecting only its role's pods.
    for (const budget of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
      const selector = (budget.spec as Loose).selector.matchLabels as Record<string, string>;
      const matched = deployments.filter((d) =>
        Object.entries(selector).every(([k, v]) => (d.spec as Loose).template.metadata.labels[k] === v),
      );
      expect(matched.length).toBe(1);
    }
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget').length).toBe(3);
  });

  it('refuses a migration Job without an existing Secret, and bad monitoring values', () => {
    expect(() => renderChart(chart, { ...controllerSecrets, migrationJob: { enabled: true } })).toThrow(
      /migrationJob.enabled needs secrets.existingSecret/,
    );
    expect(
      validator(chart)({
        ...chart.defaults,
        monitoring: { serviceMonitor: { enabled: true, interval: 'often' } },
      }),
    ).not.toEqual([]);
  });

  it('refuses to render without the secrets it needs', () => {
    expect(() => renderChart(chart, {})).toThrow(/secrets.masterKey is required/);
    expect(() => renderChart(chart, { secrets: { ...controllerSecrets.secrets, redisUrl: '' } })).toThrow(
      /secrets.redisUrl is required/,
    );
  });

  it('prints install notes naming the Services and the Secret', () => {
    const notes = renderNotes(chart, controllerSecrets);
    expect(notes).toContain('svc/prod-lattice-controller 8080:8080');
    expect(notes).toContain('prod-lattice-controller-grpc:50051');
  });

  it('names objects after the release', () => {
    const objects = renderChart(chart, controllerSecrets, 'lattice-controller');
    expect(find(objects, 'Deployment').metadata.name).toBe('lattice-controller');
  });
});

describe('helm chart lattice-agent', () => {
  const chart = loadChart('lattice-agent');
  const validateValues = validator(chart);

  it('has default values that satisfy its schema, and the schema refuses bad ones', () => {
    expect(validateValues(chart.defaults)).toEqual([]);
    expect(validateValues({ ...chart.defaults, ...agentRequired })).toEqual([]);
    expect(validateValues({ ...chart.defaults, clusterName: 'East_1' }).length).toBeGreaterThan(0);
    expect(validateValues({ ...chart.defaults, controller: { address: 'no-port' } }).length).toBeGreaterThan(
      0,
    );
    expect(validateValues({ ...chart.defaults, heartbeatSeconds: 0 })).toEqual([
      '/heartbeatSeconds must be >= 1',
    ]);
    expect(validateValues({ ...chart.defaults, persistence: { size: '1 GB' } }).length).toBeGreaterThan(0);
  });

  it('renders valid objects: ServiceAccount, RBAC, bootstrap Secret, headless Service and a one-replica StatefulSet with state', () => {
    const objects = renderChart(chart, agentRequired);
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole//prod-lattice-agent',
      'ClusterRoleBinding//prod-lattice-agent',
      'Role/istio-system/prod-lattice-agent',
      'RoleBinding/istio-system/prod-lattice-agent',
      'Secret//prod-lattice-agent',
      'Service//prod-lattice-agent',
      'ServiceAccount//prod-lattice-agent',
      'StatefulSet//prod-lattice-agent',
    ]);
    expectValidKubernetes(objects);
    const statefulSet = find(objects, 'StatefulSet') as Loose;
    expect(statefulSet.spec.replicas).toBe(1);
    expect(statefulSet.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('64Mi');
    expect(podSpec(statefulSet).serviceAccountName).toBe('prod-lattice-agent');
    expectHardenedPod(statefulSet);
    expectSelectsPods(statefulSet.spec.selector.matchLabels, statefulSet);
  });

  it('gives the agent an environment its own configuration parser accepts: Kubernetes inventory and sink', () => {
    const objects = renderChart(chart, {
      ...agentRequired,
      telemetry: { prometheusUrl: 'http://prometheus.istio-system:9090' },
    });
    const statefulSet = find(objects, 'StatefulSet');
    const env = resolvedEnv(objects, statefulSet);
    for (const name of Object.keys(env)) expect(AGENT_USAGE).toContain(name);
    const config = parseAgentConfig([], env);
    if (config === 'help') throw new Error('unexpected help');
    expect(config).toMatchObject({
      controllerAddress: 'lattice-grpc.example.com:443',
      clusterName: 'east',
      bootstrapToken: 'lat_boot_abc',
      controllerCa: { pem: CA_PEM },
      inventory: { kind: 'kubernetes' },
      sink: { kind: 'kubernetes' },
      telemetry: { kind: 'prometheus', url: 'http://prometheus.istio-system:9090' },
    });
    // Probes and metrics on the port the agent listens on.
    const agent = container(statefulSet) as Loose;
    expect(agent.ports).toEqual([{ name: 'http', containerPort: config.httpPort, protocol: 'TCP' }]);
    expect(agent.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(agent.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    // The state folder is the persistent volume.
    expect(container(statefulSet).volumeMounts).toContainEqual({ name: 'state', mountPath: config.stateDir });
    expect((statefulSet.spec as Loose).volumeClaimTemplates.map((t: KubeObject) => t.metadata.name)).toEqual([
      'state',
    ]);
  });

  it('prints install notes naming the cluster and the StatefulSet', () => {
    const notes = renderNotes(chart, agentRequired);
    expect(notes).toContain('cluster "east" dials lattice-grpc.example.com:443');
    expect(notes).toContain('statefulset/prod-lattice-agent');
  });

  it('passes helm lint --strict, and has the headless Service its StatefulSet names', () => {
    expect(helm(['lint', '--strict'], chart, agentRequired)).toMatch(
      /1 chart\(s\) linted, 0 chart\(s\) failed/,
    );
    const objects = renderChart(chart, agentRequired);
    const statefulSet = find(objects, 'StatefulSet');
    const service = find(objects, 'Service', (statefulSet.spec as Loose).serviceName);
    expect((service.spec as Loose).clusterIP).toBe('None');
    expectSelectsPods((service.spec as Loose).selector, statefulSet);
    expect((service.spec as Loose).ports).toEqual([
      { name: 'http', port: 9464, targetPort: 'http', protocol: 'TCP' },
    ]);
  });

  it('grants exactly the API access the agent code uses', () => {
    const objects = renderChart(chart, agentRequired);
    const granted = new Set<string>();
    const bound = (role: KubeObject, bindingKind: string) => {
      const binding = find(objects, bindingKind) as Loose;
      expect(binding.roleRef).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: role.kind,
        name: role.metadata.name,
      });
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'prod-lattice-agent', namespace: 'lattice-system' },
      ]);
      expect(binding.metadata.namespace).toBe(role.metadata.namespace);
    };
    for (const [kind, bindingKind] of [
      ['ClusterRole', 'ClusterRoleBinding'],
      ['Role', 'RoleBinding'],
    ] as const) {
      const role = find(objects, kind);
      bound(role, bindingKind);
      for (const rule of role.rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>) {
        for (const group of rule.apiGroups)
          for (const resource of rule.resources)
            for (const verb of rule.verbs)
              granted.add(`${role.metadata.namespace ?? '*'} ${group}/${resource} ${verb}`);
      }
    }

    const expected = new Set<string>();
    // Inventory: one list + watch per API path the source watches (its `path:` entries).
    const inventory = fs.readFileSync(
      path.join(ROOT, 'apps/agent/src/inventory/kubernetes-inventory.source.ts'),
      'utf8',
    );
    const watched = [...inventory.matchAll(/path: '(\/apis?\/[^']+)'/g)].map((m) => m[1]!);
    expect(watched.length).toBe(4);
    for (const apiPath of watched) {
      const parts = apiPath.split('/').filter(Boolean);
      const [group, resource] = parts[0] === 'api' ? ['', parts[2]] : [parts[1], parts[3]];
      for (const verb of ['list', 'watch']) expected.add(`* ${group}/${resource} ${verb}`);
    }
    // Sink: get (is a new object's name free, or someone else's?), server-side apply (patch; create
    // for new objects), list by label to prune, delete.
    for (const kind of DEFAULT_MANAGED_KINDS) {
      const group = kind.apiVersion.includes('/') ? kind.apiVersion.split('/')[0] : '';
      // Kubernetes plurals: policy -> policies, but gateway -> gateways (a vowel before the y).
      const resource = kind.kind.toLowerCase().replace(/([^aeiou])y$/, '$1ie') + 's';
      for (const verb of ['get', 'list', 'create', 'patch', 'delete'])
        expected.add(`${kind.namespace ?? '*'} ${group}/${resource} ${verb}`);
    }
    // Autoscaler: the scale subresource, HPAs and PodMetrics, cluster-wide.
    for (const access of AUTOSCALER_API_ACCESS)
      for (const verb of access.verbs) expected.add(`* ${access.group}/${access.resource} ${verb}`);
    // Mesh reader: every read it declares in MESH_API_READS (namespace, group, resource, verb).
    const meshReader = fs.readFileSync(
      path.join(ROOT, 'apps/agent/src/mesh/kubernetes-mesh.source.ts'),
      'utf8',
    );
    const reads = [
      ...meshReader.matchAll(
        /\{ namespace: '([^']+)', group: '([^']*)', resource: '([^']+)', verb: '([a-z]+)' \}/g,
      ),
    ];
    expect(reads.length).toBe(6);
    for (const [, namespace, group, resource, verb] of reads)
      expected.add(`${namespace} ${group}/${resource} ${verb}`);
    expect([...granted].sort()).toEqual([...expected].sort());
    // Secrets are never granted cluster-wide.
    expect([...granted].filter((g) => g.startsWith('* /secrets'))).toEqual([]);
  });

  it('works without persistence or a chart-made Secret, and refuses to render without what it needs', () => {
    const objects = renderChart(chart, {
      ...agentRequired,
      bootstrap: { existingSecret: 'east-bootstrap' },
      persistence: { enabled: false },
    });
    expectValidKubernetes(objects);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const statefulSet = find(objects, 'StatefulSet') as Loose;
    expect(statefulSet.spec.volumeClaimTemplates).toBeUndefined();
    expect(podSpec(statefulSet).volumes).toContainEqual({ name: 'state', emptyDir: {} });
    expect(
      container(statefulSet)
        .env.filter((v) => v.valueFrom)
        .map((v) => v.valueFrom!.secretKeyRef.name),
    ).toEqual(['east-bootstrap', 'east-bootstrap']);

    expect(() => renderChart(chart, { ...agentRequired, clusterName: '' })).toThrow(
      /clusterName is required/,
    );
    expect(() => renderChart(chart, { ...agentRequired, bootstrap: { token: '' } })).toThrow(
      /bootstrap.token is required/,
    );
    expect(() =>
      renderChart(chart, { ...agentRequired, controller: { address: '', caCert: CA_PEM } }),
    ).toThrow(/controller.address is required/);
  });
});
