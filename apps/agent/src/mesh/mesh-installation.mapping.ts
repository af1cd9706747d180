import {
  EAST_WEST_GATEWAY_PORT,
  type EastWestGatewayService,
  GATEWAYS_PROBLEM_PREFIX,
  gatewayHostSchema,
  MESH_INSTALLATION_LIMITS,
  type MeshInstallation,
  type NodeLocality,
  type PassthroughGateway,
  passthroughGatewaySchema,
} from '@lattice/domain';
import { GNS_LABEL } from '@lattice/istio';
import { parse } from 'yaml';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../sink/apply-sink.port';
import type { ApiGroupDiscovery } from '../sink/istio-api-versions.util';

/**
 * How the agent reads a cluster's Istio installation from Kubernetes objects: plain functions over
 * the objects' JSON (no client), so each rule is unit-tested. What Istio itself does, and where it
 * is documented, is in docs/diagnostics.md.
 */

export const ISTIO_NAMESPACE = 'istio-system';
export const NETWORK_LABEL = 'topology.istio.io/network';
export const REGION_LABEL = 'topology.kubernetes.io/region';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const DEFAULT_EAST_WEST_SELECTOR = 'istio=eastwestgateway';
/** Istio's default when meshConfig.trustDomain is not set (pkg/config/mesh DefaultMeshConfig). */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
}

export interface ConfigMapView {
  metadata?: Meta;
  data?: Record<string, string>;
}

export interface NamespaceView {
  metadata?: Meta;
}

export interface ServiceView {
  metadata?: Meta;
  spec?: { ports?: { port?: number }[]; externalIPs?: string[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface DeploymentView {
  metadata?: Meta;
  spec?: {
    template?: {
      metadata?: Meta;
      spec?: { containers?: { name?: string; image?: string; env?: { name?: string; value?: string }[] }[] };
    };
  };
}

export interface NodeView {
  metadata?: Meta;
}

export interface GatewayView {
  metadata?: Meta;
  spec?: {
    selector?: Record<string, string> | null;
    servers?: { port?: { number?: number }; tls?: { mode?: string }; hosts?: string[] }[] | null;
  };
}

export const GATEWAY_API_GROUP = 'networking.istio.io';
/**
 * Versions of networking.istio.io a Gateway is read at, in order of preference: Istio 1.22+ serves
 * v1, older releases v1beta1 and v1alpha3. The Gateway schema is the same in all three.
 */
export const GATEWAY_READ_VERSIONS = ['v1', 'v1beta1', 'v1alpha3'] as const;

/**
 * The version to list Gateways at: the server's preferred version of networking.istio.io when it is
 * one of GATEWAY_READ_VERSIONS, else the first of those it serves; null when it serves none (no
 * Istio CRDs: no Gateway can exist).
 */
export function gatewayApiVersion(groups: readonly ApiGroupDiscovery[]): string | null {
  const group = groups.find((candidate) => candidate.name === GATEWAY_API_GROUP);
  if (!group) return null;
  const served = (group.versions ?? []).flatMap((entry) => (entry.version ? [entry.version] : []));
  const readable: readonly string[] = GATEWAY_READ_VERSIONS;
  const preferred = group.preferredVersion?.version;
  if (preferred !== undefined && readable.includes(preferred) && served.includes(preferred)) return preferred;
  return GATEWAY_READ_VERSIONS.find((version) => served.includes(version)) ?? null;
}

/**
 * The Gateways with an AUTO_PASSTHROUGH server on 15443 and their hosts from those servers (as
 * written, duplicates dropped), by namespace and name. The Gateways Lattice renders (its
 * managed-by label together with a GNS label) are left out: the check is about a Gateway the user
 * brings, and one Lattice Gateway per GNS would crowd the report. Bounded like every report field,
 * and only what the controller accepts: at most 100 Gateways and 100 hosts each; hosts and
 * Gateways it would refuse (a host with spaces, a selector that is not Kubernetes labels) and what
 * does not fit are left out and named in one problem, so one odd Gateway cannot get the whole
 * report refused.
 */
export function passthroughGateways(gateways: readonly GatewayView[]): {
  gateways: PassthroughGateway[];
  problem: string | null;
} {
  const L = MESH_INSTALLATION_LIMITS;
  const left: string[] = [];
  const found: PassthroughGateway[] = [];
  const sorted = [...gateways].sort(
    (a, b) =>
      (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? '') ||
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
  for (const gateway of sorted) {
    const labels = gateway.metadata?.labels ?? {};
    if (labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[GNS_LABEL] !== undefined) continue;
    const servers = (gateway.spec?.servers ?? []).filter(
      (server) => server.port?.number === EAST_WEST_GATEWAY_PORT && server.tls?.mode === 'AUTO_PASSTHROUGH',
    );
    if (servers.length === 0) continue;
    const where = `${gateway.metadata?.namespace ?? ''}/${gateway.metadata?.name ?? ''}`;
    const written = [...new Set(servers.flatMap((server) => server.hosts ?? []))];
    const hosts = written.filter((host) => gatewayHostSchema.safeParse(host).success);
    if (hosts.length < written.length)
      left.push(`${written.length - hosts.length} malformed host(s) of ${where}`);
    if (hosts.length > L.gatewayHosts) left.push(`${hosts.length - L.gatewayHosts} host(s) of ${where}`);
    const candidate = passthroughGatewaySchema.safeParse({
      namespace: gateway.metadata?.namespace ?? '',
      name: gateway.metadata?.name ?? '',
      selector: { ...(gateway.spec?.selector ?? {}) },
      hosts: hosts.slice(0, L.gatewayHosts),
    });
    if (candidate.success) found.push(candidate.data);
    else left.push(`${where} (${candidate.error.issues[0]?.message ?? 'malformed'})`);
  }
  if (found.length > L.passthroughGateways)
    left.push(`${found.length - L.passthroughGateways} Gateway(s) after the first ${L.passthroughGateways}`);
  const problem = `${GATEWAYS_PROBLEM_PREFIX}: AUTO_PASSTHROUGH Gateways on ${EAST_WEST_GATEWAY_PORT} not reported: ${left.join(', ')}`;
  return {
    gateways: found.slice(0, L.passthroughGateways),
    problem: left.length > 0 ? problem.slice(0, L.problem) : null,
  };
}

/** Go's strconv.ParseBool, which Istio uses for these proxy metadata flags. */
export function parseGoBool(value: unknown): boolean {
  return typeof value === 'string' && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value.trim());
}

/** The fields of Istio's MeshConfig the diagnostics need; refuses a mesh config that is not YAML. */
export interface MeshConfigFacts {
  trustDomain: string;
  trustDomainAliases: string[];
  dnsCapture: boolean;
  dnsAutoAllocate: boolean;
}

export function parseMeshConfig(text: string): MeshConfigFacts {
  const document = (parse(text) ?? {}) as unknown;
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw new Error('the mesh config is not a YAML mapping');
  const mesh = document as Record<string, unknown>;
  const defaultConfig = (mesh.defaultConfig ?? {}) as Record<string, unknown>;
  const proxyMetadata = (defaultConfig.proxyMetadata ?? {}) as Record<string, unknown>;
  const aliases = Array.isArray(mesh.trustDomainAliases)
    ? mesh.trustDomainAliases.filter((alias): alias is string => typeof alias === 'string' && alias !== '')
    : [];
  return {
    trustDomain:
      typeof mesh.trustDomain === 'string' && mesh.trustDomain !== ''
        ? mesh.trustDomain
        : DEFAULT_TRUST_DOMAIN,
    trustDomainAliases: aliases,
    dnsCapture: parseGoBool(proxyMetadata.ISTIO_META_DNS_CAPTURE),
    dnsAutoAllocate: parseGoBool(proxyMetadata.ISTIO_META_DNS_AUTO_ALLOCATE),
  };
}

export interface IstiodFacts {
  version: string;
  revision: string;
  /** istiod runs the ServiceEntry address allocation controller (PILOT_ENABLE_IP_AUTOALLOCATE). */
  ipAutoAllocate: boolean;
}

const VERSION = /^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$/;

/** "docker.io/istio/pilot:1.24.2-distroless" -> "1.24.2"; a digest or a non-version tag -> ''. */
export function versionFromImage(image: string): string {
  const withoutDigest = image.split('@')[0] ?? '';
  const colon = withoutDigest.lastIndexOf(':');
  if (colon < 0 || withoutDigest.indexOf('/', colon) >= 0) return '';
  const tag = withoutDigest.slice(colon + 1).replace(/-distroless$|-debug$/, '');
  return VERSION.test(tag) ? tag.replace(/^v/, '') : '';
}

/**
 * istiod's version and revision, as `istioctl version` reports the control plane when it cannot
 * ask istiod itself: the `discovery` container's image tag, else the version labels Istio's
 * installers put on the Deployment (`operator.istio.io/version` from istioctl/operator,
 * `app.kubernetes.io/version` and `helm.sh/chart: istiod-<version>` from Helm). The revision is
 * `istio.io/rev` ("default" when unset). Several istiods (canary revisions): the default revision
 * wins, else the first by name.
 */
export function istiodFacts(deployments: readonly DeploymentView[]): IstiodFacts | null {
  const istiods = deployments
    .filter((deployment) => {
      const labels = deployment.metadata?.labels ?? {};
      return labels.app === 'istiod' || (deployment.metadata?.name ?? '').startsWith('istiod');
    })
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  if (istiods.length === 0) return null;
  const revisionOf = (deployment: DeploymentView) =>
    deployment.metadata?.labels?.['istio.io/rev'] ??
    deployment.spec?.template?.metadata?.labels?.['istio.io/rev'] ??
    'default';
  const chosen = istiods.find((deployment) => revisionOf(deployment) === 'default') ?? istiods[0]!;
  const labels = chosen.metadata?.labels ?? {};
  const containers = chosen.spec?.template?.spec?.containers ?? [];
  const discovery = containers.find((container) => container.name === 'discovery') ?? containers[0];
  const fromLabels = [
    labels['operator.istio.io/version'],
    labels['app.kubernetes.io/version'],
    labels['helm.sh/chart']?.replace(/^istiod-/, ''),
  ].find((value) => typeof value === 'string' && VERSION.test(value));
  const version = versionFromImage(discovery?.image ?? '') || (fromLabels ?? '').replace(/^v/, '');
  const ipAutoAllocate = (discovery?.env ?? []).some(
    (variable) => variable.name === 'PILOT_ENABLE_IP_AUTOALLOCATE' && parseGoBool(variable.value),
  );
  return { version, revision: revisionOf(chosen), ipAutoAllocate };
}

/**
 * The mesh config istiod reads: ConfigMap `istio` (key `mesh`), or `istio-<revision>` for a
 * revisioned install. Prefers the revision of the chosen istiod, then `istio`, then any other
 * `istio-*` with a `mesh` key (by name).
 */
export function chooseMeshConfigMap(
  configMaps: readonly ConfigMapView[],
  revision: string | undefined,
): ConfigMapView | undefined {
  const withMesh = configMaps
    .filter((configMap) => {
      const name = configMap.metadata?.name ?? '';
      return (name === 'istio' || name.startsWith('istio-')) && typeof configMap.data?.mesh === 'string';
    })
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const named = (name: string) => withMesh.find((configMap) => configMap.metadata?.name === name);
  return (
    (revision && revision !== 'default' ? named(`istio-${revision}`) : undefined) ??
    named('istio') ??
    withMesh[0]
  );
}

/** A Kubernetes equality label selector ("a=b,c=d"); null when it is not one. */
export function parseLabelSelector(selector: string): Record<string, string> | null {
  const result: Record<string, string> = {};
  for (const part of selector.split(',')) {
    const match = /^\s*([A-Za-z0-9./_-]+)\s*==?\s*([A-Za-z0-9._-]*)\s*$/.exec(part);
    if (!match) return null;
    result[match[1]!] = match[2]!;
  }
  return Object.keys(result).length > 0 ? result : null;
}

/**
 * The east-west gateway among the Services the selector matched: the one in istio-system first,
 * then by namespace and name. Its external addresses are status.loadBalancer.ingress (ip, else
 * hostname), then spec.externalIPs.
 */
export function eastWestGateway(
  services: readonly ServiceView[],
  selector: string,
): EastWestGatewayService | null {
  const wanted = parseLabelSelector(selector) ?? {};
  const matching = services
    .filter((service) =>
      Object.entries(wanted).every(([key, value]) => service.metadata?.labels?.[key] === value),
    )
    .sort((a, b) => {
      const rank = (service: ServiceView) => (service.metadata?.namespace === ISTIO_NAMESPACE ? 0 : 1);
      return (
        rank(a) - rank(b) ||
        (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? '') ||
        (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '')
      );
    });
  const service = matching[0];
  if (!service) return null;
  const addresses = [
    ...(service.status?.loadBalancer?.ingress ?? []).map((ingress) => ingress.ip || ingress.hostname || ''),
    ...(service.spec?.externalIPs ?? []),
  ].filter((address, index, all) => address !== '' && all.indexOf(address) === index);
  return {
    namespace: service.metadata?.namespace ?? '',
    name: service.metadata?.name ?? '',
    addresses,
    ports: [...new Set((service.spec?.ports ?? []).map((port) => port.port ?? 0).filter((port) => port > 0))],
    selector,
  };
}

/** Distinct (region, zone) of the nodes with how many nodes each; '' for a missing label. */
export function nodeLocalities(nodes: readonly NodeView[]): NodeLocality[] {
  const counts = new Map<string, NodeLocality>();
  for (const node of nodes) {
    const region = node.metadata?.labels?.[REGION_LABEL] ?? '';
    const zone = node.metadata?.labels?.[ZONE_LABEL] ?? '';
    const key = `${region}\u0000${zone}`;
    const entry = counts.get(key) ?? { region, zone, nodes: 0 };
    entry.nodes += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].sort(
    (a, b) => a.region.localeCompare(b.region) || a.zone.localeCompare(b.zone),
  );
}

export interface KubernetesMeshObjects {
  /** ConfigMaps of istio-system. */
  configMaps: readonly ConfigMapView[];
  /** The istio-system Namespace, when it exists. */
  istioNamespace: NamespaceView | undefined;
  /** Services the gateway selector matched (any namespace). */
  gatewayServices: readonly ServiceView[];
  /** Deployments of istio-system. */
  deployments: readonly DeploymentView[];
  nodes: readonly NodeView[];
  /** Gateways of every namespace; null when they could not be listed (named in problems). */
  gateways: readonly GatewayView[] | null;
  /** What could not be read (those fields are then empty). */
  problems: readonly string[];
}

/** The installation from what was read; a mesh config that does not parse is named in problems. */
export function buildMeshInstallation(objects: KubernetesMeshObjects, selector: string): MeshInstallation {
  const problems = [...objects.problems];
  const passthrough = objects.gateways === null ? null : passthroughGateways(objects.gateways);
  if (passthrough?.problem) problems.push(passthrough.problem);
  const istiod = istiodFacts(objects.deployments);
  const configMap = chooseMeshConfigMap(objects.configMaps, istiod?.revision);
  let meshConfig: MeshConfigFacts | null = null;
  if (configMap) {
    try {
      meshConfig = parseMeshConfig(configMap.data!.mesh!);
    } catch (error) {
      problems.push(
        `ConfigMap ${ISTIO_NAMESPACE}/${configMap.metadata?.name}: key mesh: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`,
      );
    }
  }
  return {
    meshConfigFound: meshConfig !== null,
    meshConfigName: meshConfig ? (configMap?.metadata?.name ?? '') : '',
    trustDomain: meshConfig?.trustDomain ?? '',
    trustDomainAliases: meshConfig?.trustDomainAliases ?? [],
    dnsCapture: meshConfig?.dnsCapture ?? false,
    dnsAutoAllocate: (meshConfig?.dnsAutoAllocate ?? false) || (istiod?.ipAutoAllocate ?? false),
    network: objects.istioNamespace?.metadata?.labels?.[NETWORK_LABEL] ?? '',
    eastWestGateway: eastWestGateway(objects.gatewayServices, selector),
    passthroughGateways: passthrough?.gateways ?? null,
    istioVersion: istiod?.version ?? '',
    revision: istiod?.revision ?? '',
    localities: nodeLocalities(objects.nodes),
    problems,
    source: 'kubernetes',
  };
}
