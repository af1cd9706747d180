import type { GnsConflict, GnsMembership, GnsWarning } from '../gns/membership';
import { compareText } from '../gns/compare-text';
import type { DesiredEastWestGateway } from '../desired-state';
import {
  acceptedTrustDomains,
  GATEWAYS_PROBLEM_PREFIX,
  istioMinorVersion,
  type MeshInstallation,
} from './mesh-installation';
import { EAST_WEST_GATEWAY_PORT } from '../gns/desired-states';
import { coveringPassthroughGateway, gatewaySelectsPods } from './passthrough-gateway';

export type FindingSeverity = 'ERROR' | 'WARNING' | 'INFO';

/** Every finding code; docs/diagnostics.md explains each. */
export const FINDING_CODES = [
  'INSTALLATION_UNKNOWN',
  'ISTIO_NOT_FOUND',
  'INSTALLATION_READ_FAILED',
  'TRUST_DOMAIN_ALIAS_MISSING',
  'DNS_CAPTURE_OFF',
  'DNS_AUTO_ALLOCATE_OFF',
  'EAST_WEST_GATEWAY_MISSING',
  'EAST_WEST_GATEWAY_NO_ADDRESS',
  'EAST_WEST_GATEWAY_PORT_MISSING',
  'EAST_WEST_ADDRESS_MISMATCH',
  'EAST_WEST_GATEWAY_HOSTS_MISSING',
  'EAST_WEST_GATEWAY_HOSTS_UNCHECKED',
  'NETWORK_UNSET',
  'NETWORK_MISMATCH',
  'ISTIO_VERSION_UNKNOWN',
  'ISTIO_VERSION_UNSUPPORTED',
  'ISTIO_VERSION_SKEW',
  'LOCALITY_UNSET',
  'PORT_CONFLICT',
  'NAMESPACE_CONFLICT',
  'DOMAIN_CONFLICT',
  'NO_ROUTABLE_PORTS',
  'UNUSABLE_SELECTOR',
  'MEMBERSHIP_PROBLEM',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export interface DiagnosticFinding {
  severity: FindingSeverity;
  code: FindingCode;
  /** The cluster the finding is about; null for a finding about the whole GNS. */
  clusterId: string | null;
  clusterName: string | null;
  /** What will not work, and why. */
  message: string;
  /** How to fix it: a concrete command or YAML snippet. */
  fix: string;
}

/** A member cluster as diagnosis sees it: registered facts and what its agent reported. */
export interface DiagnosedCluster {
  id: string;
  name: string;
  /** The network given at registration; null when none was given. */
  registeredNetwork: string | null;
  /** The east-west gateway address given at registration; null when none was given. */
  registeredEastWestAddress: string | null;
  /** What the agent reported; null when it never did (an agent older than the report). */
  installation: MeshInstallation | null;
  /** How its east-west Gateway is had (registration): Lattice's, or an existing one on these pods. */
  eastWestGateway: DesiredEastWestGateway;
}

export interface DiagnosisInput {
  membership: GnsMembership;
  /** The tenant's clusters (at least the GNS's member clusters). */
  clusters: readonly DiagnosedCluster[];
}

/**
 * The oldest Istio minor release the diagnostics accept. Istio supports each release for about
 * six months; older ones get no security fixes, and the agent is tested against 1.22 and later
 * (networking.istio.io/v1 and v1beta1).
 */
export const MIN_SUPPORTED_ISTIO = { major: 1, minor: 22 } as const;

const SEVERITY_ORDER: Record<FindingSeverity, number> = { ERROR: 0, WARNING: 1, INFO: 2 };

/**
 * Preflight diagnostics of one Global Namespace across its member clusters, in the spirit of
 * `istioctl analyze` and `meshctl check`: what will not work in the multi-network mesh Lattice
 * renders, and how to fix it. Pure and deterministic: findings are sorted by severity, cluster
 * name, code, message.
 */
export function diagnoseGlobalNamespace(input: DiagnosisInput): DiagnosticFinding[] {
  const { membership } = input;
  const memberIds = new Set(membership.namespaces.map((member) => member.clusterId));
  const members = input.clusters
    .filter((cluster) => memberIds.has(cluster.id))
    .sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id));
  const multiCluster = members.length > 1;
  const findings: DiagnosticFinding[] = [];
  for (const cluster of members)
    findings.push(...diagnoseCluster(cluster, membership.gns.domain, multiCluster));
  findings.push(...versionSkew(members));
  findings.push(...membership.conflicts.flatMap(conflictFindings));
  findings.push(...membership.warnings.flatMap(warningFindings));
  return findings.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      compareText(a.clusterName ?? '', b.clusterName ?? '') ||
      compareText(a.code, b.code) ||
      compareText(a.message, b.message),
  );
}

/**
 * One cluster's findings, also used for its MeshReady condition. `domain` is the GNS domain the
 * mesh must accept (null: a cluster in no GNS, the trust-domain check is skipped); `multiCluster`
 * whether the GNS spans several clusters (only then is a missing gateway or network an error).
 */
export function diagnoseCluster(
  cluster: DiagnosedCluster,
  domain: string | null,
  multiCluster: boolean,
): DiagnosticFinding[] {
  const about = (severity: FindingSeverity, code: FindingCode, message: string, fix: string) => ({
    severity,
    code,
    clusterId: cluster.id,
    clusterName: cluster.name,
    message,
    fix,
  });
  const mesh = cluster.installation;
  if (!mesh) {
    return [
      about(
        'WARNING',
        'INSTALLATION_UNKNOWN',
        `The Istio installation of cluster "${cluster.name}" is unknown (agent too old: it does not report ` +
          'its mesh installation, or it has not connected since it was upgraded), so nothing here checks it.',
        'Upgrade the agent (helm upgrade lattice-agent deploy/helm/lattice-agent --reuse-values ' +
          '--set image.tag=<new version>); it reports the installation on its next connection. ' +
          'A file-inventory agent reports it from a mesh: section of its inventory file (docs/agent.md).',
      ),
    ];
  }
  const findings: DiagnosticFinding[] = [];
  for (const problem of mesh.problems)
    findings.push(
      about(
        'WARNING',
        'INSTALLATION_READ_FAILED',
        `The agent of "${cluster.name}" could not read part of the Istio installation: ${problem}. ` +
          'Findings that depend on it may be missing or wrong.',
        "Check the agent's RBAC (the lattice-agent Helm chart grants list on configmaps, namespaces, " +
          'services, nodes, deployments and gateways.networking.istio.io): kubectl auth can-i list configmaps -n istio-system ' +
          '--as system:serviceaccount:<agent namespace>:lattice-agent',
      ),
    );
  if (!mesh.meshConfigFound) {
    findings.push(
      about(
        'ERROR',
        'ISTIO_NOT_FOUND',
        `No Istio mesh config was found in "${cluster.name}" (no ConfigMap istio or istio-<revision> in ` +
          'istio-system): Istio does not seem to be installed, so nothing Lattice renders takes effect.',
        `Install Istio for a multi-network mesh, e.g.:\n${installSnippet(domain ?? '<gns domain>', cluster)}`,
      ),
    );
  } else {
    findings.push(...meshConfigFindings(cluster, mesh, domain, about));
  }
  findings.push(...gatewayFindings(cluster, mesh, multiCluster, about));
  if (domain !== null && mesh.meshConfigFound)
    findings.push(...passthroughGatewayFindings(cluster, mesh, domain, multiCluster, about));
  findings.push(...networkFindings(cluster, mesh, multiCluster, about));
  findings.push(...versionFindings(cluster, mesh, about));
  if (mesh.localities.length > 0 && mesh.localities.every((locality) => locality.region === ''))
    findings.push(
      about(
        'INFO',
        'LOCALITY_UNSET',
        `No node of "${cluster.name}" carries topology.kubernetes.io/region, so endpoints have no region ` +
          'and locality-aware load balancing can only prefer the cluster itself.',
        'Label the nodes (cloud providers do this themselves): kubectl label node <node> ' +
          'topology.kubernetes.io/region=<region> topology.kubernetes.io/zone=<zone>',
      ),
    );
  return findings;
}

type About = (
  severity: FindingSeverity,
  code: FindingCode,
  message: string,
  fix: string,
) => DiagnosticFinding;

function meshConfigFindings(
  cluster: DiagnosedCluster,
  mesh: MeshInstallation,
  domain: string | null,
  about: About,
): DiagnosticFinding[] {
  const findings: DiagnosticFinding[] = [];
  const accepted = acceptedTrustDomains(mesh);
  if (domain !== null && !accepted.includes(domain)) {
    const aliases = [...mesh.trustDomainAliases, domain];
    findings.push(
      about(
        'ERROR',
        'TRUST_DOMAIN_ALIAS_MISSING',
        `The mesh of "${cluster.name}" (trust domain "${mesh.trustDomain}"` +
          (mesh.trustDomainAliases.length > 0
            ? `, aliases ${mesh.trustDomainAliases.join(', ')}`
            : ', no aliases') +
          `) does not accept the GNS domain "${domain}": the GNS's AuthorizationPolicy principals ` +
          `(spiffe://${domain}/ns/<namespace>/sa/<account>) never match, so every call they guard is denied.`,
        `Add the alias to meshConfig.trustDomainAliases (istiod reads it without a restart):\n` +
          meshConfigPatch(mesh, { trustDomain: mesh.trustDomain, trustDomainAliases: aliases }),
      ),
    );
  }
  if (!mesh.dnsCapture)
    findings.push(
      about(
        'ERROR',
        'DNS_CAPTURE_OFF',
        `Istio's DNS proxy does not capture DNS in "${cluster.name}" (ISTIO_META_DNS_CAPTURE is not "true"): ` +
          `names under ${domain ?? 'a GNS domain'} exist only as ServiceEntries, so applications asking kube-dns get NXDOMAIN.`,
        'Turn DNS capture on for every sidecar (pods pick it up when restarted):\n' +
          meshConfigPatch(mesh, { proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' } }) +
          '\nkubectl rollout restart deployment -n <each member namespace>',
      ),
    );
  if (!mesh.dnsAutoAllocate)
    findings.push(
      about(
        'WARNING',
        'DNS_AUTO_ALLOCATE_OFF',
        `Address auto-allocation is off in "${cluster.name}" (ISTIO_META_DNS_AUTO_ALLOCATE is not "true" ` +
          'and istiod does not run with PILOT_ENABLE_IP_AUTOALLOCATE): a ServiceEntry without addresses ' +
          'resolves to nothing in the DNS proxy, and TCP services without an address share 0.0.0.0:<port> listeners.',
        'Turn auto-allocation on with DNS capture:\n' +
          meshConfigPatch(mesh, {
            proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true', ISTIO_META_DNS_AUTO_ALLOCATE: 'true' },
          }),
      ),
    );
  return findings;
}

function gatewayFindings(
  cluster: DiagnosedCluster,
  mesh: MeshInstallation,
  multiCluster: boolean,
  about: About,
): DiagnosticFinding[] {
  // A single-cluster GNS sends nothing through the gateway: its absence is worth knowing, not an error.
  const severity: FindingSeverity = multiCluster ? 'ERROR' : 'INFO';
  const gateway = mesh.eastWestGateway;
  if (!gateway)
    return [
      about(
        severity,
        'EAST_WEST_GATEWAY_MISSING',
        `No east-west gateway Service was found in "${cluster.name}"` +
          (mesh.source === 'kubernetes' ? " (no Service matches the agent's gateway selector)" : '') +
          ': other clusters cannot reach its services (they connect to its gateway on port 15443).',
        "Install an east-west gateway for the cluster's network, as in Istio's multi-network guide:\n" +
          `samples/multicluster/gen-eastwest-gateway.sh --network ${mesh.network || cluster.registeredNetwork || '<network>'} | ` +
          'istioctl install -y -f -\n' +
          '(or point the agent at an existing one: --east-west-gateway-selector <label>=<value>, ' +
          'Helm value mesh.eastWestGatewaySelector)',
      ),
    ];
  const findings: DiagnosticFinding[] = [];
  const where = `${gateway.namespace}/${gateway.name}`;
  if (!gateway.ports.includes(EAST_WEST_GATEWAY_PORT))
    findings.push(
      about(
        severity,
        'EAST_WEST_GATEWAY_PORT_MISSING',
        `The east-west gateway Service ${where} of "${cluster.name}" does not expose port ${EAST_WEST_GATEWAY_PORT} ` +
          `(it exposes ${gateway.ports.join(', ') || 'none'}), the AUTO_PASSTHROUGH mTLS port remote clusters connect to.`,
        `kubectl -n ${gateway.namespace} patch service ${gateway.name} --type json -p ` +
          `'[{"op":"add","path":"/spec/ports/-","value":{"name":"tls","port":${EAST_WEST_GATEWAY_PORT},"targetPort":${EAST_WEST_GATEWAY_PORT}}}]'`,
      ),
    );
  if (gateway.addresses.length === 0 && !cluster.registeredEastWestAddress)
    findings.push(
      about(
        severity,
        'EAST_WEST_GATEWAY_NO_ADDRESS',
        `The east-west gateway Service ${where} of "${cluster.name}" has no external address ` +
          '(status.loadBalancer.ingress is empty and no address was registered): remote clusters have nothing to connect to.',
        `Check why the load balancer is pending: kubectl -n ${gateway.namespace} describe service ${gateway.name}\n` +
          `or register a reachable address: ${clusterUpdate(cluster.id, '{"eastWestAddress": "<ip or hostname>"}')}`,
      ),
    );
  if (
    cluster.registeredEastWestAddress &&
    gateway.addresses.length > 0 &&
    !gateway.addresses.includes(cluster.registeredEastWestAddress)
  )
    findings.push(
      about(
        'WARNING',
        'EAST_WEST_ADDRESS_MISMATCH',
        `"${cluster.name}" was registered with east-west address ${cluster.registeredEastWestAddress}, but its ` +
          `gateway Service ${where} has ${gateway.addresses.join(', ')}: remote clusters use the registered one.`,
        `If the registered address is stale: ${clusterUpdate(cluster.id, `{"eastWestAddress": "${gateway.addresses[0]}"}`)}`,
      ),
    );
  return findings;
}

/**
 * A cluster whose east-west Gateway is not Lattice's (eastWestGatewayManaged false) needs an
 * existing Gateway on its gateway pods with an AUTO_PASSTHROUGH server on 15443 routing
 * `*.<domain>` (the rules: passthrough-gateway.ts). Unknown when the agent did not report its
 * Gateways: then a warning that says why, never an error guessed from nothing.
 */
function passthroughGatewayFindings(
  cluster: DiagnosedCluster,
  mesh: MeshInstallation,
  domain: string,
  multiCluster: boolean,
  about: About,
): DiagnosticFinding[] {
  if (cluster.eastWestGateway.managed) return [];
  const pods = cluster.eastWestGateway.selector;
  const podLabels = labelList(pods);
  const gateways = mesh.passthroughGateways;
  if (gateways === null) {
    const listFailed = mesh.problems.find((problem) => problem.startsWith(GATEWAYS_PROBLEM_PREFIX));
    const why = listFailed
      ? `the agent could not list Gateways (${listFailed})`
      : mesh.source === 'file'
        ? "the inventory file's mesh: section has no passthroughGateways"
        : 'the agent does not report Gateways (an agent older than this check)';
    return [
      about(
        multiCluster ? 'WARNING' : 'INFO',
        'EAST_WEST_GATEWAY_HOSTS_UNCHECKED',
        `"${cluster.name}" uses an existing east-west Gateway (eastWestGatewayManaged is false), but whether it ` +
          `routes *.${domain} could not be checked: ${why}.`,
        listFailed
          ? "Grant the agent list on gateways.networking.istio.io (the lattice-agent Helm chart's ClusterRole does): " +
              'kubectl auth can-i list gateways.networking.istio.io --all-namespaces ' +
              '--as system:serviceaccount:<agent namespace>:lattice-agent'
          : mesh.source === 'file'
            ? `List the cluster's AUTO_PASSTHROUGH Gateways in the inventory file (docs/agent.md), e.g.\n` +
              `mesh:\n  passthroughGateways:\n    - { namespace: istio-system, name: cross-network-gateway, ` +
              `selector: { ${Object.entries(pods)
                .map(([key, value]) => `${key}: ${value}`)
                .join(', ')} }, hosts: ['*.${domain}'] }`
            : 'Upgrade the agent (helm upgrade lattice-agent deploy/helm/lattice-agent --reuse-values ' +
              '--set image.tag=<new version>); it reports its Gateways on its next connection.',
      ),
    ];
  }
  if (coveringPassthroughGateway(gateways, pods, domain)) return [];
  const onPods = gateways.filter((gateway) => gatewaySelectsPods(gateway.selector, pods));
  const seen =
    onPods.length === 0
      ? `no Gateway with an AUTO_PASSTHROUGH server on ${EAST_WEST_GATEWAY_PORT} applies to the gateway pods (${podLabels})`
      : `the AUTO_PASSTHROUGH Gateways on the gateway pods (${podLabels}) route only ` +
        onPods
          .slice(0, 3)
          .map(
            (gateway) =>
              `${gateway.namespace}/${gateway.name}: ${gateway.hosts.slice(0, 5).join(', ') || '(no hosts)'}` +
              (gateway.hosts.length > 5 ? ', …' : ''),
          )
          .join('; ') +
        (onPods.length > 3 ? `; and ${onPods.length - 3} more` : '');
  const namespace = mesh.eastWestGateway?.namespace || 'istio-system';
  const name = `eastwest-${domain.replaceAll('.', '-')}`.slice(0, 63).replace(/-+$/, '');
  return [
    about(
      multiCluster ? 'ERROR' : 'INFO',
      'EAST_WEST_GATEWAY_HOSTS_MISSING',
      `"${cluster.name}" uses an existing east-west Gateway (eastWestGatewayManaged is false), but ${seen}: ` +
        `the gateway does not route *.${domain}, so connections from other clusters to this GNS's services are refused.`,
      `Add '*.${domain}' to the hosts of the AUTO_PASSTHROUGH server on ${EAST_WEST_GATEWAY_PORT} of your Gateway, ` +
        'or apply one:\n' +
        [
          'kubectl apply -f - <<EOF',
          'apiVersion: networking.istio.io/v1',
          'kind: Gateway',
          'metadata:',
          `  name: ${name}`,
          `  namespace: ${namespace}`,
          'spec:',
          '  selector:',
          ...Object.entries(pods).map(([key, value]) => `    ${key}: ${value}`),
          '  servers:',
          `    - port: { number: ${EAST_WEST_GATEWAY_PORT}, name: tls-gns, protocol: TLS }`,
          '      tls: { mode: AUTO_PASSTHROUGH }',
          `      hosts: ['*.${domain}']`,
          'EOF',
        ].join('\n') +
        `\nor let Lattice render it: ${clusterUpdate(cluster.id, '{"eastWestGatewayManaged": true}')}`,
    ),
  ];
}

/** The REST call that changes a cluster's registration (fields not sent stay as they are). */
function clusterUpdate(clusterId: string, body: string): string {
  return `PUT /v1/clusters/${clusterId} with If-Match: <ETag of GET /v1/clusters/${clusterId}> and ${body}`;
}

/** `a=b,c=d` for a message. */
function labelList(labels: Readonly<Record<string, string>>): string {
  return (
    Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(',') || 'any'
  );
}

function networkFindings(
  cluster: DiagnosedCluster,
  mesh: MeshInstallation,
  multiCluster: boolean,
  about: About,
): DiagnosticFinding[] {
  const reported = mesh.network;
  const registered = cluster.registeredNetwork;
  if (reported && registered && reported !== registered)
    return [
      about(
        'ERROR',
        'NETWORK_MISMATCH',
        `"${cluster.name}" was registered on network "${registered}", but istio-system says ` +
          `topology.istio.io/network=${reported}: endpoints Lattice labels with one network are treated by ` +
          'istiod as on the other, so traffic is sent directly to pod IPs it cannot reach (or hairpins through gateways).',
        `Make them agree: either kubectl label namespace istio-system topology.istio.io/network=${registered} --overwrite ` +
          `(and reinstall the east-west gateway for that network), or ${clusterUpdate(cluster.id, `{"network": "${reported}"}`)}`,
      ),
    ];
  if (!reported && !registered)
    return [
      about(
        multiCluster ? 'ERROR' : 'INFO',
        'NETWORK_UNSET',
        `"${cluster.name}" has no network: istio-system has no topology.istio.io/network label and none was ` +
          'registered. Split-horizon EDS needs a network per cluster; without one, remote endpoints look local ' +
          "and sidecars try to reach other clusters' pod IPs directly.",
        `kubectl label namespace istio-system topology.istio.io/network=${cluster.name}-network\n` +
          `and install Istio with values.global.network=${cluster.name}-network`,
      ),
    ];
  return [];
}

function versionFindings(
  cluster: DiagnosedCluster,
  mesh: MeshInstallation,
  about: About,
): DiagnosticFinding[] {
  if (!mesh.meshConfigFound) return [];
  const version = istioMinorVersion(mesh.istioVersion);
  if (!version)
    return [
      about(
        'INFO',
        'ISTIO_VERSION_UNKNOWN',
        `Istio's version in "${cluster.name}" is unknown` +
          (mesh.istioVersion ? ` ("${mesh.istioVersion}" is not a version)` : '') +
          ': version checks are skipped.',
        "istioctl version (the agent reads the istiod Deployment's image tag and its operator.istio.io/version label)",
      ),
    ];
  const min = MIN_SUPPORTED_ISTIO;
  if (version.major < min.major || (version.major === min.major && version.minor < min.minor))
    return [
      about(
        'ERROR',
        'ISTIO_VERSION_UNSUPPORTED',
        `"${cluster.name}" runs Istio ${mesh.istioVersion}; Lattice supports ${min.major}.${min.minor} and later.`,
        `Upgrade Istio (canary upgrade with revisions): istioctl install --set revision=<new revision> ` +
          '--set tag=<1.x.y>, then move namespaces to the new revision.',
      ),
    ];
  return [];
}

/** Istio supports one minor release of skew between the control planes of one mesh. */
function versionSkew(members: readonly DiagnosedCluster[]): DiagnosticFinding[] {
  const versions = members.flatMap((cluster) => {
    const version = cluster.installation ? istioMinorVersion(cluster.installation.istioVersion) : null;
    return version ? [{ cluster, version, rank: version.major * 1000 + version.minor }] : [];
  });
  if (versions.length < 2) return [];
  const lowest = versions.reduce((a, b) => (b.rank < a.rank ? b : a));
  const highest = versions.reduce((a, b) => (b.rank > a.rank ? b : a));
  const skew = highest.rank - lowest.rank;
  if (skew <= 0) return [];
  const list = versions.map((v) => `${v.cluster.name}: ${v.cluster.installation!.istioVersion}`).join(', ');
  return [
    {
      severity: skew > 1 ? 'WARNING' : 'INFO',
      code: 'ISTIO_VERSION_SKEW',
      clusterId: null,
      clusterName: null,
      message:
        `Member clusters run different Istio minor releases (${list}). ` +
        (skew > 1
          ? 'More than one minor release apart is outside the skew Istio supports between control planes of one mesh.'
          : 'One minor release apart is supported during an upgrade.'),
      fix: `Upgrade ${lowest.cluster.name} to Istio ${highest.version.major}.${highest.version.minor} (istioctl upgrade, or a canary revision).`,
    },
  ];
}

function conflictFindings(conflict: GnsConflict): DiagnosticFinding[] {
  const whole = { clusterId: null, clusterName: null };
  switch (conflict.kind) {
    case 'HOST_PORTS_DIFFER':
      return [
        {
          // Still published on the ports most instances agree on: an error only when instances are left out.
          severity: conflict.leftOut.length > 0 ? 'ERROR' : 'WARNING',
          code: 'PORT_CONFLICT',
          ...whole,
          message: conflict.reason,
          fix:
            `Make every instance of ${conflict.serviceName} expose the same ports: ` +
            conflict.variants
              .map(
                (variant) =>
                  `${variant.ports.map((port) => `${port.number}/${port.protocol}`).join(',') || '(none)'} in ` +
                  variant.instances
                    .map((instance) => `${instance.clusterName}/${instance.namespace}`)
                    .join(', '),
              )
              .join('; ') +
            ` — e.g. kubectl -n <namespace> edit service ${conflict.serviceName} in the clusters that differ.`,
        },
      ];
    case 'NAMESPACE_CLAIMED_BY_SEVERAL':
      return [
        {
          severity: 'WARNING',
          code: 'NAMESPACE_CONFLICT',
          clusterId: conflict.clusterId,
          clusterName: conflict.clusterName,
          message: conflict.reason,
          fix: 'Narrow the match conditions of the newer Global Namespaces so that only one matches the namespace.',
        },
      ];
    case 'DUPLICATE_DOMAIN':
      return [
        {
          severity: 'ERROR',
          code: 'DOMAIN_CONFLICT',
          ...whole,
          message: conflict.reason,
          fix: 'Give each Global Namespace its own domain (PUT /v1/global-namespaces/{id} with another "domain").',
        },
      ];
    default:
      return [membershipProblem(conflict, 'ERROR')];
  }
}

function warningFindings(warning: GnsWarning): DiagnosticFinding[] {
  switch (warning.kind) {
    case 'NO_EAST_WEST_GATEWAY':
      // Reported per cluster from the installation (EAST_WEST_GATEWAY_*), with what the agent saw.
      return [];
    case 'NO_ROUTABLE_PORTS':
      return [
        {
          severity: 'WARNING',
          code: 'NO_ROUTABLE_PORTS',
          clusterId: null,
          clusterName: null,
          message: warning.reason,
          fix: `Give ${warning.serviceName} a port with a protocol Lattice routes (name it http-*, grpc-*, tcp-* or tls-*, or set appProtocol).`,
        },
      ];
    case 'UNUSABLE_SELECTOR':
      return [
        {
          severity: 'WARNING',
          code: 'UNUSABLE_SELECTOR',
          clusterId: null,
          clusterName: null,
          message: warning.reason,
          fix: `Replace match condition ${warning.matchConditionIndex} with an EXACT or PREFIX selector, or a regex Lattice accepts.`,
        },
      ];
    default:
      return [membershipProblem(warning, 'WARNING')];
  }
}

/** A conflict or warning kind this diagnosis has no dedicated code for (added later): shown as it is. */
function membershipProblem(
  problem: { kind: string; reason?: string },
  severity: FindingSeverity,
): DiagnosticFinding {
  const clusterOf = problem as { clusterId?: string; clusterName?: string };
  return {
    severity,
    code: 'MEMBERSHIP_PROBLEM',
    clusterId: clusterOf.clusterId ?? null,
    clusterName: clusterOf.clusterName ?? null,
    message: `${problem.kind}: ${problem.reason ?? 'see the Global Namespace status'}`,
    fix: 'See the conflicts and warnings in the Global Namespace status (GET /v1/global-namespaces/{id}).',
  };
}

/** A meshConfig change as YAML for the istiod Helm values / IstioOperator, and as a ConfigMap edit. */
function meshConfigPatch(
  mesh: MeshInstallation,
  change: { trustDomain?: string; trustDomainAliases?: string[]; proxyMetadata?: Record<string, string> },
): string {
  const lines = ['meshConfig:'];
  if (change.trustDomain !== undefined) lines.push(`  trustDomain: ${change.trustDomain}`);
  if (change.trustDomainAliases) {
    lines.push('  trustDomainAliases:');
    for (const alias of change.trustDomainAliases) lines.push(`    - ${alias}`);
  }
  if (change.proxyMetadata) {
    lines.push('  defaultConfig:', '    proxyMetadata:');
    for (const [key, value] of Object.entries(change.proxyMetadata)) lines.push(`      ${key}: "${value}"`);
  }
  const configMap = mesh.meshConfigName || 'istio';
  return (
    `# istioctl install -f (IstioOperator spec) or the istiod Helm chart's values:\n${lines.join('\n')}\n` +
    `# or edit the mesh config in place: kubectl -n istio-system edit configmap ${configMap} (key "mesh", same fields without "meshConfig:")`
  );
}

function installSnippet(domain: string, cluster: DiagnosedCluster): string {
  const network = cluster.registeredNetwork ?? `${cluster.name}-network`;
  return [
    'istioctl install -y -f - <<EOF',
    'apiVersion: install.istio.io/v1alpha1',
    'kind: IstioOperator',
    'spec:',
    '  meshConfig:',
    `    trustDomainAliases: [${domain}]`,
    '    defaultConfig:',
    '      proxyMetadata:',
    '        ISTIO_META_DNS_CAPTURE: "true"',
    '        ISTIO_META_DNS_AUTO_ALLOCATE: "true"',
    '  values:',
    '    global:',
    `      network: ${network}`,
    'EOF',
    `kubectl label namespace istio-system topology.istio.io/network=${network}`,
  ].join('\n');
}
