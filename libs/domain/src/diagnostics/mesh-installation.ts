import { z } from 'zod';
import { EAST_WEST_GATEWAY_PORT } from '../gns/desired-states';
import type { FieldError } from '../errors';

/**
 * What an agent read of its cluster's Istio installation (libs/proto MeshInstallation, in
 * camelCase): the facts a multi-network mesh across clusters depends on. See docs/diagnostics.md.
 */
export interface MeshInstallation {
  /** False when no Istio mesh config was found; the mesh-config fields are then empty. */
  meshConfigFound: boolean;
  /** The ConfigMap the mesh config came from (`istio` or `istio-<revision>`); '' when none. */
  meshConfigName: string;
  trustDomain: string;
  trustDomainAliases: string[];
  dnsCapture: boolean;
  dnsAutoAllocate: boolean;
  /** `topology.istio.io/network` of istio-system; '' when unset. */
  network: string;
  eastWestGateway: EastWestGatewayService | null;
  /**
   * The Gateways (networking.istio.io, any namespace) with an AUTO_PASSTHROUGH server on 15443,
   * except those Lattice renders itself; null when not read (an agent older than the field, a file
   * without them, or a list that failed: see `problems`). Checked for clusters whose east-west
   * Gateway is not Lattice's (eastWestGatewayManaged false).
   */
  passthroughGateways: PassthroughGateway[] | null;
  /** e.g. "1.24.2"; '' when unknown. */
  istioVersion: string;
  revision: string;
  localities: NodeLocality[];
  /** What the agent could not read. */
  problems: string[];
  /** "kubernetes" or "file". */
  source: string;
}

export interface EastWestGatewayService {
  namespace: string;
  name: string;
  addresses: string[];
  ports: number[];
  selector: string;
}

/** A Gateway with an AUTO_PASSTHROUGH server on port 15443, as the agent found it. */
export interface PassthroughGateway {
  namespace: string;
  name: string;
  /** spec.selector: labels of the gateway pods it applies to; empty applies to every gateway pod (Istio). */
  selector: Record<string, string>;
  /** The hosts of its AUTO_PASSTHROUGH servers on 15443 as written (`ns/host`, `*\/host`, `./host` kept). */
  hosts: string[];
}

export interface NodeLocality {
  region: string;
  zone: string;
  nodes: number;
}

/**
 * How the agent's `problems` entry for a failed Gateway list starts, so the diagnostics can say why
 * the Gateways are unknown.
 */
export const GATEWAYS_PROBLEM_PREFIX = 'gateways';

/** Bounds on what an agent may report; the stored column never grows past them. */
export const MESH_INSTALLATION_LIMITS = {
  /** DNS names (trust domains, aliases, gateway addresses) and Kubernetes names. */
  name: 253,
  /** Versions, revisions, network names, selectors, sources. */
  short: 128,
  aliases: 64,
  addresses: 16,
  ports: 64,
  localities: 256,
  problems: 16,
  problem: 500,
  passthroughGateways: 100,
  /** Hosts of one passthrough Gateway (all its AUTO_PASSTHROUGH servers on 15443). */
  gatewayHosts: 100,
  /** A Gateway host: a DNS name with an optional `namespace/` prefix. */
  gatewayHost: 253 + 64,
  selectorLabels: 32,
} as const;

const L = MESH_INSTALLATION_LIMITS;
// Printable, no spaces: names, versions, addresses. Agent strings are bounded and cleaned before this.
const TOKEN = /^[A-Za-z0-9._:/=*@+-]*$/;

const token = (max: number) => z.string().max(max).regex(TOKEN, 'must be a name without spaces or controls');
/** Kubernetes label key (optional DNS-subdomain prefix, then a name of at most 63) and value. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const labelSelector = z.record(z.string(), z.string()).superRefine((labels, context) => {
  const entries = Object.entries(labels);
  if (entries.length > L.selectorLabels)
    context.addIssue({ code: 'custom', message: `must have at most ${L.selectorLabels} labels` });
  for (const [key, value] of entries.slice(0, L.selectorLabels)) {
    if (!LABEL_KEY.test(key))
      context.addIssue({ code: 'custom', path: [key], message: 'must be a Kubernetes label key' });
    else if (!LABEL_VALUE.test(value))
      context.addIssue({ code: 'custom', path: [key], message: 'must be a Kubernetes label value' });
  }
});

/** A Gateway host as reported (what the agent keeps of a Gateway's hosts). */
export const gatewayHostSchema = token(L.gatewayHost);

/** One reported passthrough Gateway (the agent leaves out one that would not pass). */
export const passthroughGatewaySchema = z.object({
  namespace: token(L.name),
  name: token(L.name),
  selector: labelSelector,
  hosts: z.array(gatewayHostSchema).max(L.gatewayHosts),
});

/** The stored JSON column (and the shape every API shows), decoded through this one schema. */
export const meshInstallationSchema = z.object({
  meshConfigFound: z.boolean(),
  meshConfigName: token(L.name),
  trustDomain: token(L.name),
  trustDomainAliases: z.array(token(L.name)).max(L.aliases),
  dnsCapture: z.boolean(),
  dnsAutoAllocate: z.boolean(),
  network: token(L.short),
  eastWestGateway: z
    .object({
      namespace: token(L.name),
      name: token(L.name),
      addresses: z.array(token(L.name)).max(L.addresses),
      ports: z.array(z.int().min(1).max(65_535)).max(L.ports),
      selector: z.string().max(L.short),
    })
    .nullable(),
  // Absent from installations stored before the field existed: read as not known.
  passthroughGateways: z.array(passthroughGatewaySchema).max(L.passthroughGateways).nullable().default(null),
  istioVersion: token(L.short),
  revision: token(L.short),
  localities: z
    .array(z.object({ region: token(L.short), zone: token(L.short), nodes: z.int().min(0) }))
    .max(L.localities),
  problems: z.array(z.string().max(L.problem + 32)).max(L.problems),
  source: token(L.short),
});

/**
 * Checks an installation an agent reported (strings already bounded by the transport). Problems
 * name the field, e.g. `mesh.trustDomainAliases[2]`.
 */
export function validateMeshInstallation(installation: MeshInstallation): FieldError[] {
  const result = meshInstallationSchema.safeParse(installation);
  if (result.success) return [];
  return result.error.issues.slice(0, 10).map((issue) => ({
    field: ['mesh', ...issue.path.map(String)].join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]'),
    message: issue.message,
  }));
}

/** The trust domains a mesh accepts identities of: its own and its aliases. */
export function acceptedTrustDomains(installation: MeshInstallation): string[] {
  return [installation.trustDomain, ...installation.trustDomainAliases].filter((domain) => domain !== '');
}

/** `major.minor` of an Istio version string ("1.24.2", "1.25.0-beta.1", "v1.23"); null when unparsable. */
export function istioMinorVersion(version: string): { major: number; minor: number } | null {
  const match = /^v?(\d+)\.(\d+)(?:[.-].*)?$/.exec(version.trim());
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/** What the agent's report says about where a cluster sits; each null when the report does not say. */
export interface ReportedPlacement {
  network: string | null;
  /** Region (and zone) shared by every labelled node; null when nodes disagree on the region or carry none. */
  locality: { region: string; zone?: string } | null;
  /** The first external address of a gateway Service that exposes 15443. */
  eastWestAddress: string | null;
}

export function reportedPlacement(installation: MeshInstallation | null): ReportedPlacement {
  if (!installation) return { network: null, locality: null, eastWestAddress: null };
  const regions = new Set(installation.localities.map((locality) => locality.region));
  const zones = new Set(installation.localities.map((locality) => locality.zone));
  const [region] = regions;
  const [zone] = zones;
  const gateway = installation.eastWestGateway;
  return {
    network: installation.network || null,
    // One locality per cluster: endpoints of a cluster spread over zones are weighted as its region.
    locality: regions.size === 1 && region ? { region, ...(zones.size === 1 && zone ? { zone } : {}) } : null,
    eastWestAddress: gateway?.ports.includes(EAST_WEST_GATEWAY_PORT) ? (gateway.addresses[0] ?? null) : null,
  };
}
