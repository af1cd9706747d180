import type {
  DesiredClusterState,
  DesiredGlobalNamespace,
  DesiredGnsService,
  ServiceEndpoint,
} from './desired-state';
import { compareText } from './gns/compare-text';
import { type CanonicalJsonMemo, canonicalJsonHash, stableStringify, stateHash } from './gns/snapshot-hash';

/**
 * A desired state split into named resources, so that a change is sent as the resources it changed
 * (docs/agent-protocol.md). Its kinds:
 * - `cluster`: the cluster-level fields, with the names of its GNS resources in order;
 * - `gns/<gnsId>`: one GNS's fields except its services, with the names of its service resources in order;
 * - `gns/<gnsId>/service/<name>`: one service without its endpoints, with the keys of its endpoint
 *   groups in order;
 * - `gns/<gnsId>/service/<name>/endpoints/<clusterId>`: one cluster's endpoints of that service (a
 *   group: consecutive endpoints of one cluster), so a change of one cluster's pods, weights or
 *   versions resends that cluster's few endpoints, not the service's endpoints in every cluster;
 * - `mesh-ca` and `gns/<gnsId>/ca`: the cluster's mesh CA and a GNS's CA material. Certificates
 *   are most of a cluster or GNS resource's bytes and change only with a rotation, so a change of
 *   mTLS mode or autoscaling does not resend them.
 * A name handed out before (never in states the controller builds: a GNS id or a service name seen
 * twice, or one that spells another resource's name) gets `#2`, `#3`… so splitting is total.
 */
export const CLUSTER_RESOURCE = 'cluster';
export const MESH_CA_RESOURCE = 'mesh-ca';

export interface DesiredStateResource {
  name: string;
  /** sha256 (hex) of `json`. */
  hash: string;
  /** The resource's content as canonical JSON (keys sorted): the bytes that are sent. */
  json: string;
  /** The content `json` encodes (shares the split state's objects; not to be mutated). */
  content: unknown;
}

/** The cluster resource: the state without its GNS (named in order) and its mesh CA (named). */
type ClusterResourceContent = Omit<DesiredClusterState, 'globalNamespaces' | 'meshCa'> & {
  globalNamespaceResources: string[];
  meshCaResource?: string;
};

/**
 * A service resource: the service without its endpoints; `endpointGroups` are the keys of its
 * endpoint groups in order (the cluster id, `#2`… when a cluster's endpoints come in two runs), each
 * group being the resource `<service resource>/endpoints/<key>`. Keys rather than full names keep
 * the list small: it is resent whenever a cluster joins or leaves the service.
 */
type ServiceResourceContent = Omit<DesiredGnsService, 'endpoints'> & { endpointGroups: string[] };

/** An endpoint group resource: consecutive endpoints of one cluster. */
interface EndpointGroupContent {
  endpoints: ServiceEndpoint[];
}

/** A GNS resource: the GNS without its services (named in order) and its CA material (named). */
type GnsResourceContent = Omit<DesiredGlobalNamespace, 'services' | 'ca'> & {
  serviceResources: string[];
  caResource?: string;
};

export class DesiredStateAssemblyError extends Error {
  override readonly name = 'DesiredStateAssemblyError';
}

/**
 * Splits a state into its resources: `cluster` and `mesh-ca` first, then each GNS followed by its
 * CA and services, each service followed by its endpoint groups. A memo (one per computation, see
 * CanonicalJsonMemo) shared by the splits of many clusters' states serializes what they share once
 * (a GNS's CA material), and a group of one shared endpoint (a remote cluster's, the same in every
 * other member's state) is serialized and hashed once.
 */
export function splitDesiredState(
  state: DesiredClusterState,
  memo?: CanonicalJsonMemo,
): DesiredStateResource[] {
  const resource = (name: string, content: unknown): DesiredStateResource => {
    const json = stableStringify(content, memo);
    return { name, hash: canonicalJsonHash(json), json, content };
  };
  // One namer for the whole set, so no two resources share a name whatever the ids spell.
  const names = new UniqueNames([CLUSTER_RESOURCE, MESH_CA_RESOURCE]);
  const globalNamespaceResources: string[] = [];
  const gnsResources: DesiredStateResource[] = [];
  for (const gns of state.globalNamespaces) {
    const gnsName = names.next(`gns/${gns.id}`);
    globalNamespaceResources.push(gnsName);
    const serviceResources: DesiredStateResource[] = [];
    const serviceResourceNames: string[] = [];
    for (const service of gns.services) {
      const serviceName = names.next(`${gnsName}/service/${service.name}`);
      serviceResourceNames.push(serviceName);
      serviceResources.push(...splitService(serviceName, service, names, resource, memo));
    }
    const { services: _services, ca, ...gnsFields } = gns;
    const caResource = ca === undefined ? [] : [resource(names.next(`${gnsName}/ca`), ca)];
    const gnsContent: GnsResourceContent = {
      ...gnsFields,
      serviceResources: serviceResourceNames,
      ...(caResource[0] ? { caResource: caResource[0].name } : {}),
    };
    gnsResources.push(resource(gnsName, gnsContent), ...caResource, ...serviceResources);
  }
  const { globalNamespaces: _globalNamespaces, meshCa, ...clusterFields } = state;
  const meshCaResource = meshCa === undefined ? [] : [resource(MESH_CA_RESOURCE, meshCa)];
  const clusterContent: ClusterResourceContent = {
    ...clusterFields,
    globalNamespaceResources,
    ...(meshCaResource[0] ? { meshCaResource: MESH_CA_RESOURCE } : {}),
  };
  return [resource(CLUSTER_RESOURCE, clusterContent), ...meshCaResource, ...gnsResources];
}

/** The name → hash map of a set of resources (what an agent says it holds). */
export function resourceHashes(resources: Iterable<{ name: string; hash: string }>): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const { name, hash } of resources) hashes.set(name, hash);
  return hashes;
}

export interface ResourceDiff<R> {
  /** Resources the holder lacks or holds with another hash, in `next`'s order. */
  upserts: R[];
  /** Names the holder has that `next` lacks, sorted. */
  removed: string[];
}

/**
 * What turns the held resources into `next`. `held` null: what the holder has is unknown, so
 * everything is sent and nothing is removed (the receiver replaces its whole set).
 */
export function diffResources<R extends { name: string; hash: string }>(
  held: ReadonlyMap<string, string> | null,
  next: readonly R[],
): ResourceDiff<R> {
  if (held === null) return { upserts: [...next], removed: [] };
  const upserts = next.filter((candidate) => held.get(candidate.name) !== candidate.hash);
  const wanted = new Set(next.map((candidate) => candidate.name));
  const removed = [...held.keys()].filter((name) => !wanted.has(name)).sort(compareText);
  return { upserts, removed };
}

/**
 * The held resources with a delta applied, as a new map (the held one is left alone, so a refused
 * delta leaves the applied set intact). Removing a name that is not held, or upserting and
 * removing one name at once, is refused: the sender's idea of what is held is wrong.
 */
export function mergeResources<T>(
  held: ReadonlyMap<string, T>,
  upserts: Iterable<readonly [string, T]>,
  removed: Iterable<string>,
): Map<string, T> {
  const merged = new Map(held);
  const upserted = new Set<string>();
  for (const [name, value] of upserts) {
    if (upserted.has(name)) throw new DesiredStateAssemblyError(`resource ${name} is sent twice`);
    upserted.add(name);
    merged.set(name, value);
  }
  for (const name of removed) {
    if (upserted.has(name)) throw new DesiredStateAssemblyError(`resource ${name} is both sent and removed`);
    if (!merged.delete(name))
      throw new DesiredStateAssemblyError(`resource ${name} is removed but was not held`);
  }
  return merged;
}

/**
 * The state a complete set of resources describes (parsed contents, by name): exactly the state
 * that was split, GNS and services in their order. Throws a DesiredStateAssemblyError naming the
 * problem when the set is incomplete, has a resource nothing refers to, or a malformed reference.
 */
export function assembleDesiredState(resources: ReadonlyMap<string, unknown>): DesiredClusterState {
  const used = new Set<string>([CLUSTER_RESOURCE]);
  const take = (name: unknown, referrer: string): Record<string, unknown> => {
    if (typeof name !== 'string')
      throw new DesiredStateAssemblyError(`${referrer} refers to a resource by a non-string name`);
    if (used.has(name))
      throw new DesiredStateAssemblyError(`resource ${name} is referred to twice (by ${referrer})`);
    used.add(name);
    return contentOf(resources, name, referrer);
  };
  const { globalNamespaceResources, meshCaResource, ...cluster } = contentOf(
    resources,
    CLUSTER_RESOURCE,
    'the state',
  );
  if (meshCaResource !== undefined) cluster['meshCa'] = take(meshCaResource, CLUSTER_RESOURCE);
  const globalNamespaces = namesIn(
    globalNamespaceResources,
    CLUSTER_RESOURCE,
    'globalNamespaceResources',
  ).map((gnsName) => {
    const { serviceResources, caResource, ...gns } = take(gnsName, CLUSTER_RESOURCE);
    const referrer = gnsName as string;
    if (caResource !== undefined) gns['ca'] = take(caResource, referrer);
    const services = namesIn(serviceResources, referrer, 'serviceResources').map((serviceName) => {
      const { endpointGroups, ...service } = take(serviceName, referrer);
      const name = serviceName as string;
      // A service resource carrying endpoints is of another layout: refused, not silently replaced.
      if ('endpoints' in service)
        throw new DesiredStateAssemblyError(
          `resource ${name} carries endpoints itself (this agent expects them in endpoint group resources)`,
        );
      const endpoints = namesIn(endpointGroups, name, 'endpointGroups').flatMap((key) => {
        if (typeof key !== 'string')
          throw new DesiredStateAssemblyError(`${name} refers to an endpoint group by a non-string key`);
        const group = take(endpointGroupName(name, key), name);
        return namesIn(group['endpoints'], endpointGroupName(name, key), 'endpoints');
      });
      return { ...service, endpoints } as unknown as DesiredGnsService;
    });
    return { ...gns, services } as unknown as DesiredGlobalNamespace;
  });
  const unused = [...resources.keys()].filter((name) => !used.has(name)).sort(compareText);
  if (unused.length > 0)
    throw new DesiredStateAssemblyError(
      `resource${unused.length > 1 ? 's' : ''} ${unused.slice(0, 5).join(', ')}${unused.length > 5 ? ` and ${unused.length - 5} more` : ''} not referred to by any other`,
    );
  return { ...cluster, globalNamespaces } as unknown as DesiredClusterState;
}

/**
 * sha256 of the state's canonical JSON (libs/domain snapshot-hash): the same value as the stored
 * desired hash of a snapshot, so the agent can check that what it assembled is what was meant.
 */
export function stateChecksum(state: DesiredClusterState): string {
  return stateHash(state);
}

/**
 * A service's resource followed by one resource per endpoint group: each run of consecutive
 * endpoints of one cluster (the canonical order puts a cluster's endpoints together, so this is one
 * group per cluster), keyed by its cluster id. Runs keep the endpoints' exact order.
 */
function splitService(
  name: string,
  service: DesiredGnsService,
  names: UniqueNames,
  resource: (name: string, content: unknown) => DesiredStateResource,
  memo: CanonicalJsonMemo | undefined,
): DesiredStateResource[] {
  const groups: { key: string; endpoints: ServiceEndpoint[] }[] = [];
  const prefix = endpointGroupName(name, '');
  for (const endpoint of service.endpoints) {
    const last = groups[groups.length - 1];
    if (last && last.endpoints[0]!.clusterId === endpoint.clusterId) last.endpoints.push(endpoint);
    else {
      const key = names.next(`${prefix}${String(endpoint.clusterId)}`).slice(prefix.length);
      groups.push({ key, endpoints: [endpoint] });
    }
  }
  const { endpoints: _endpoints, ...fields } = service;
  const content: ServiceResourceContent = { ...fields, endpointGroups: groups.map((group) => group.key) };
  return [
    resource(name, content),
    ...groups.map(({ key, endpoints }) => {
      const group: EndpointGroupContent = { endpoints };
      const groupName = endpointGroupName(name, key);
      const only = endpoints.length === 1 ? endpoints[0] : undefined;
      if (!memo || !only) return resource(groupName, group);
      return { name: groupName, ...memo.hashedOf(only, () => group), content: group };
    }),
  ];
}

function endpointGroupName(serviceResource: string, key: string): string {
  return `${serviceResource}/endpoints/${key}`;
}

function contentOf(
  resources: ReadonlyMap<string, unknown>,
  name: string,
  referrer: string,
): Record<string, unknown> {
  if (!resources.has(name))
    throw new DesiredStateAssemblyError(`resource ${name} (referred to by ${referrer}) is missing`);
  const content = resources.get(name);
  if (content === null || typeof content !== 'object' || Array.isArray(content))
    throw new DesiredStateAssemblyError(`resource ${name} is not a JSON object`);
  return content as Record<string, unknown>;
}

function namesIn(value: unknown, resourceName: string, field: string): unknown[] {
  if (!Array.isArray(value))
    throw new DesiredStateAssemblyError(`resource ${resourceName} has no ${field} list`);
  return value;
}

/** Hands out a name as asked, or with the first free `#2`, `#3`… when it was handed out before. */
class UniqueNames {
  private readonly taken: Set<string>;

  constructor(reserved: readonly string[] = []) {
    this.taken = new Set(reserved);
  }

  next(name: string): string {
    let candidate = name;
    for (let count = 2; this.taken.has(candidate); count++) candidate = `${name}#${count}`;
    this.taken.add(candidate);
    return candidate;
  }
}
