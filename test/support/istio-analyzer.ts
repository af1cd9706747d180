/**
 * An `istioctl analyze`-like semantic check of the objects Lattice renders into one cluster, for
 * the test suite (e2e, demo, agent): what Istio's schemas cannot see but istiod would get wrong.
 * Each finding names the object and what is wrong. Checked, per cluster:
 *
 * - schema: every Istio object against its CRD schema (@kubernetes-models/istio, unknown fields
 *   refused), Services against Kubernetes';
 * - VirtualService hosts have a ServiceEntry (so the route has a destination registry entry), and
 *   the subsets they route to exist in the host's DestinationRule;
 * - one DestinationRule per host (istiod merges or drops the others, depending on version);
 * - every DestinationRule subset selects at least one endpoint of its host's ServiceEntry;
 * - no two endpoints of a ServiceEntry share an address (istiod keys them by address and port
 *   name, so one would silently replace the other);
 * - ServiceEntries with a port Envoy cannot route by Host (TCP, TLS, …) have `addresses`;
 * - endpoints at an east-west gateway (port 15443) carry a `network`, so a gateway that asks for
 *   its own network's view never forwards to another gateway;
 * - locality failover (`localityLbSetting` with failover or failoverPriority) comes with
 *   outlierDetection, without which Istio never fails over;
 * - `exportTo` is set and holds only `*`, `.` or namespace names;
 * - AuthorizationPolicy principals are in Istio's form `<trust domain>/ns/<ns>/sa/<account>`
 *   (no `spiffe://` prefix), or a `*` wildcard of that form;
 * - an AUTO_PASSTHROUGH Gateway's hosts cover the ServiceEntry hosts it exists for.
 */
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import { Gateway } from '@kubernetes-models/istio/networking.istio.io/v1beta1/Gateway';
import { ServiceEntry } from '@kubernetes-models/istio/networking.istio.io/v1beta1/ServiceEntry';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { AuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1beta1/AuthorizationPolicy';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1/PeerAuthentication';
import { Service } from 'kubernetes-models/v1/Service';

export interface AnalyzedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: unknown;
  [key: string]: unknown;
}

export interface Finding {
  /** `Kind namespace/name` */
  object: string;
  check: string;
  message: string;
}

/*
 * The models validate with their CRD's openAPIV3Schema but, like a CRD without
 * `x-kubernetes-preserve-unknown-fields: false` pruning feedback, accept unknown fields. The
 * schemas are registered with @kubernetes-models/validate on first use; capturing them there lets
 * unknownFields() refuse what the API server would prune (a field Lattice thinks it set but Istio
 * never sees).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validation = require('@kubernetes-models/validate') as {
  register: (id: string, schema: JsonSchema) => void;
};
interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  $ref?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}
const SCHEMAS = new Map<string, JsonSchema>();
const registerSchema = validation.register;
validation.register = (id, schema) => {
  SCHEMAS.set(id, schema);
  registerSchema(id, schema);
};

/** Paths of fields the schema does not know (below `spec`; metadata is Kubernetes' own). */
function unknownFields(value: unknown, schema: JsonSchema | undefined, path: string): string[] {
  if (!schema || schema.$ref || schema['x-kubernetes-preserve-unknown-fields']) return [];
  if (Array.isArray(value))
    return value.flatMap((item, index) => unknownFields(item, schema.items, `${path}[${index}]`));
  if (typeof value !== 'object' || value === null) return [];
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
    const inner = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    return Object.entries(value).flatMap(([key, item]) => unknownFields(item, inner, `${path}.${key}`));
  }
  if (!schema.properties) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key in (schema.properties ?? {})
      ? unknownFields(item, schema.properties?.[key], `${path}.${key}`)
      : [`${path}.${key}`],
  );
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  ServiceEntry,
  DestinationRule,
  VirtualService,
  Gateway,
  PeerAuthentication,
  AuthorizationPolicy,
  Service,
};

const HOST_ROUTED = new Set(['HTTP', 'HTTP2', 'GRPC']);
const EAST_WEST_PORT = 15443;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** `<trust domain>/ns/<namespace>/sa/<account>`; `*` may replace a whole tail or prefix. */
const PRINCIPAL = /^(\*|[^/*\s]+\/(\*|ns\/[^/\s]+\/sa\/[^/\s]+)|\*\/ns\/[^/\s]+\/sa\/[^/\s]+)$/;

interface Endpoint {
  address?: string;
  labels?: Record<string, string>;
  ports?: Record<string, number>;
  network?: string;
}
interface ServiceEntrySpec {
  hosts?: string[];
  addresses?: string[];
  ports?: { number: number; name: string; protocol?: string }[];
  endpoints?: Endpoint[];
  exportTo?: string[];
}
interface DestinationRuleSpec {
  host?: string;
  exportTo?: string[];
  subsets?: { name: string; labels?: Record<string, string> }[];
  trafficPolicy?: {
    outlierDetection?: unknown;
    loadBalancer?: { localityLbSetting?: { failover?: unknown[]; failoverPriority?: string[] } };
  };
}
interface VirtualServiceSpec {
  hosts?: string[];
  exportTo?: string[];
  http?: { route?: { destination?: { host?: string; subset?: string } }[] }[];
  tcp?: { route?: { destination?: { host?: string; subset?: string } }[] }[];
  tls?: { route?: { destination?: { host?: string; subset?: string } }[] }[];
}
interface GatewaySpec {
  servers?: { port?: { number?: number }; tls?: { mode?: string }; hosts?: string[] }[];
}
interface AuthorizationPolicySpec {
  rules?: { from?: { source?: { principals?: string[]; notPrincipals?: string[] } }[] }[];
}

const nameOf = (object: AnalyzedObject) =>
  `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
const specOf = <T>(object: AnalyzedObject) => (object.spec ?? {}) as T;
const selects = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

/** Istio host matching: `*.example.com` covers `a.example.com`; exact names cover themselves. */
function hostCovers(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/** Every finding for the objects of one cluster (empty when istiod would be happy). */
export function analyzeIstio(objects: readonly AnalyzedObject[]): Finding[] {
  const findings: Finding[] = [];
  const report = (object: AnalyzedObject, check: string, message: string) =>
    findings.push({ object: nameOf(object), check, message });
  const ofKind = (kind: string) => objects.filter((object) => object.kind === kind);

  for (const object of objects) {
    const Model = MODELS[object.kind];
    if (!Model) continue;
    // The models are v1beta1; for these kinds Istio's v1 schema is the same (docs/agent.md).
    const asModel = {
      ...object,
      apiVersion: object.apiVersion.replace(/\.istio\.io\/v1$/, '.istio.io/v1beta1'),
    };
    try {
      new Model(asModel as never).validate();
    } catch (error) {
      report(object, 'schema', error instanceof Error ? error.message : String(error));
    }
    const group = object.apiVersion.includes('/')
      ? object.apiVersion.replace('/', '.')
      : `core.${object.apiVersion}`;
    const schema = [...SCHEMAS].find(
      ([id]) => id === `${group}.${object.kind}` || id.endsWith(`.${object.kind}`),
    )?.[1];
    for (const field of unknownFields(object.spec, schema?.properties?.spec, 'spec'))
      report(object, 'schema', `unknown field ${field} (the API server would prune it)`);
  }

  const serviceEntries = ofKind('ServiceEntry');
  const entryByHost = new Map<string, AnalyzedObject>();
  for (const entry of serviceEntries) {
    const spec = specOf<ServiceEntrySpec>(entry);
    for (const host of spec.hosts ?? []) entryByHost.set(host, entry);
    checkExportTo(entry, spec.exportTo, report);
    const seen = new Set<string>();
    for (const endpoint of spec.endpoints ?? []) {
      const address = endpoint.address ?? '';
      if (seen.has(address))
        report(
          entry,
          'duplicate-endpoint',
          `two endpoints at ${address}: istiod keys endpoints by address and port name`,
        );
      seen.add(address);
      const viaGateway = Object.values(endpoint.ports ?? {}).some((port) => port === EAST_WEST_PORT);
      if (viaGateway && !endpoint.network)
        report(entry, 'gateway-endpoint-network', `the east-west gateway endpoint ${address} has no network`);
    }
    if (
      (spec.ports ?? []).some((port) => !HOST_ROUTED.has(port.protocol ?? 'TCP')) &&
      !spec.addresses?.length
    )
      report(
        entry,
        'tcp-address',
        `has a TCP/TLS port but no addresses: it would take 0.0.0.0:<port> in every sidecar`,
      );
  }

  const rulesByHost = new Map<string, AnalyzedObject[]>();
  for (const rule of ofKind('DestinationRule')) {
    const spec = specOf<DestinationRuleSpec>(rule);
    checkExportTo(rule, spec.exportTo, report);
    const host = spec.host ?? '';
    rulesByHost.set(host, [...(rulesByHost.get(host) ?? []), rule]);
    const locality = spec.trafficPolicy?.loadBalancer?.localityLbSetting;
    if (
      (locality?.failover?.length || locality?.failoverPriority?.length) &&
      !spec.trafficPolicy?.outlierDetection
    )
      report(
        rule,
        'failover-outlier-detection',
        'locality failover without outlierDetection never fails over',
      );
    const entry = entryByHost.get(host);
    for (const subset of spec.subsets ?? []) {
      const endpoints = entry ? (specOf<ServiceEntrySpec>(entry).endpoints ?? []) : [];
      if (!endpoints.some((endpoint) => selects(subset.labels ?? {}, endpoint.labels)))
        report(
          rule,
          'subset-endpoints',
          `subset ${subset.name} of ${host} selects no endpoint of its ServiceEntry`,
        );
    }
  }
  for (const [host, rules] of rulesByHost)
    if (rules.length > 1)
      for (const rule of rules)
        report(rule, 'one-destination-rule', `${rules.length} DestinationRules for ${host}`);

  for (const virtualService of ofKind('VirtualService')) {
    const spec = specOf<VirtualServiceSpec>(virtualService);
    checkExportTo(virtualService, spec.exportTo, report);
    for (const host of spec.hosts ?? [])
      if (!entryByHost.has(host))
        report(virtualService, 'virtual-service-host', `host ${host} has no ServiceEntry`);
    const routes = [...(spec.http ?? []), ...(spec.tcp ?? []), ...(spec.tls ?? [])].flatMap(
      (entry) => entry.route ?? [],
    );
    for (const { destination } of routes) {
      if (!destination?.host) continue;
      if (!entryByHost.has(destination.host))
        report(virtualService, 'virtual-service-host', `destination ${destination.host} has no ServiceEntry`);
      if (destination.subset === undefined) continue;
      const subsets = (rulesByHost.get(destination.host) ?? []).flatMap(
        (rule) => specOf<DestinationRuleSpec>(rule).subsets ?? [],
      );
      if (!subsets.some((subset) => subset.name === destination.subset))
        report(
          virtualService,
          'virtual-service-subset',
          `subset ${destination.subset} of ${destination.host} is not defined`,
        );
    }
  }

  for (const gateway of ofKind('Gateway')) {
    const servers = specOf<GatewaySpec>(gateway).servers ?? [];
    const passthrough = servers.filter((server) => server.tls?.mode === 'AUTO_PASSTHROUGH');
    for (const server of passthrough)
      if (server.port?.number !== EAST_WEST_PORT)
        report(
          gateway,
          'east-west-gateway',
          `AUTO_PASSTHROUGH on port ${server.port?.number}, not ${EAST_WEST_PORT}`,
        );
    const gnsId = gateway.metadata.labels?.['lattice.io/gns'];
    if (passthrough.length === 0 || gnsId === undefined) continue;
    const covered = passthrough.flatMap((server) => server.hosts ?? []);
    for (const entry of serviceEntries.filter(
      (candidate) => candidate.metadata.labels?.['lattice.io/gns'] === gnsId,
    ))
      for (const host of specOf<ServiceEntrySpec>(entry).hosts ?? [])
        if (!covered.some((pattern) => hostCovers(pattern, host)))
          report(gateway, 'east-west-gateway', `does not cover ${host}`);
  }

  for (const policy of ofKind('AuthorizationPolicy'))
    for (const rule of specOf<AuthorizationPolicySpec>(policy).rules ?? [])
      for (const from of rule.from ?? [])
        for (const principal of [...(from.source?.principals ?? []), ...(from.source?.notPrincipals ?? [])])
          if (principal.startsWith('spiffe://') || !PRINCIPAL.test(principal))
            report(
              policy,
              'principal-form',
              `principal "${principal}" is not <trust domain>/ns/<ns>/sa/<account>`,
            );

  return findings;
}

function checkExportTo(
  object: AnalyzedObject,
  exportTo: string[] | undefined,
  report: (object: AnalyzedObject, check: string, message: string) => void,
): void {
  if (!exportTo || exportTo.length === 0) {
    report(object, 'export-to', 'exportTo is not set (visibility then depends on the mesh default)');
    return;
  }
  for (const value of exportTo)
    if (value !== '*' && value !== '.' && !NAMESPACE.test(value))
      report(object, 'export-to', `exportTo "${value}" is neither "*", "." nor a namespace`);
}

/** Throws with every finding, one a line (for `expect(() => assertIstioClean(objects)).not.toThrow()`). */
export function assertIstioClean(objects: readonly AnalyzedObject[]): void {
  const findings = analyzeIstio(objects);
  if (findings.length > 0)
    throw new Error(
      `istio analysis found ${findings.length} problem(s):\n` +
        findings.map((finding) => `  ${finding.object} [${finding.check}] ${finding.message}`).join('\n'),
    );
}
