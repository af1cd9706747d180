import { METRICS_API_TYPES } from './metrics-api';

/**
 * The resource catalog: which group/version/resource triples the server serves, and the few
 * per-resource behaviours of the real registry (generic `Store` strategies) that clients can see.
 */

export type IstioVersion = 'v1' | 'v1beta1';

export interface ResourceType {
  group: string;
  /** Served versions, preferred first. The object is stored once and converted by rewriting apiVersion. */
  versions: string[];
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** `status` and/or `scale` subresources. */
  subresources: Array<'status' | 'scale'>;
  /** Custom resource (served by apiextensions): no strategic merge patch, PUT needs resourceVersion, DELETE returns the object. */
  custom: boolean;
  /** metadata.generation maintained (set to 1 on create, bumped when anything outside metadata/status changes). */
  generation: boolean;
  /** Name rule: DNS-1123 subdomain (most), DNS-1123 label (namespaces) or DNS-1035 label (services). */
  nameRule: 'subdomain' | 'dns1123label' | 'dns1035label';
  /** Verbs served when not all of them (the read-only metrics API); others answer 405. */
  verbs?: string[];
  /** Extra field selectors the real server supports for this resource (metadata.name/namespace always). */
  fieldSelectors?: Record<string, (object: Record<string, unknown>) => string | undefined>;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const VERBS = ALL_VERBS;

function core(
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    group: '',
    versions: ['v1'],
    resource,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    subresources: [],
    custom: false,
    generation: false,
    nameRule: 'subdomain',
    ...extra,
  };
}

/** rbac.authorization.k8s.io/v1: stored and served, not enforced (authorization is `faults.forbid`). */
function rbac(resource: string, kind: string, namespaced: boolean): ResourceType {
  return { ...core(resource, kind, namespaced), group: 'rbac.authorization.k8s.io' };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function path(object: Record<string, unknown>, ...keys: string[]): unknown {
  let current: unknown = object;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function buildCatalog(istioVersions: IstioVersion[]): ResourceType[] {
  const istio = (['v1', 'v1beta1'] as const).filter((version) => istioVersions.includes(version));
  const istioType = (group: string, resource: string, kind: string, shortNames: string[]): ResourceType => ({
    group,
    versions: [...istio],
    resource,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: true,
    shortNames,
    categories: ['istio-io', group.split('.')[0] + '-istio-io'],
    subresources: ['status'],
    custom: true,
    generation: true,
    nameRule: 'subdomain',
  });
  const catalog: ResourceType[] = [
    core('namespaces', 'Namespace', false, {
      shortNames: ['ns'],
      subresources: ['status'],
      nameRule: 'dns1123label',
    }),
    core('services', 'Service', true, {
      shortNames: ['svc'],
      categories: ['all'],
      subresources: ['status'],
      nameRule: 'dns1035label',
    }),
    core('endpoints', 'Endpoints', true, {
      singular: 'endpoints',
      listKind: 'EndpointsList',
      shortNames: ['ep'],
    }),
    core('pods', 'Pod', true, {
      shortNames: ['po'],
      categories: ['all'],
      subresources: ['status'],
      fieldSelectors: {
        'spec.nodeName': (object) => str(path(object, 'spec', 'nodeName')) ?? '',
        'status.phase': (object) => str(path(object, 'status', 'phase')) ?? '',
      },
    }),
    core('secrets', 'Secret', true, { fieldSelectors: { type: (object) => str(object.type) ?? '' } }),
    core('configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
    core('nodes', 'Node', false, { shortNames: ['no'], subresources: ['status'] }),
    core('serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
    rbac('roles', 'Role', true),
    rbac('rolebindings', 'RoleBinding', true),
    rbac('clusterroles', 'ClusterRole', false),
    rbac('clusterrolebindings', 'ClusterRoleBinding', false),
    {
      group: 'discovery.k8s.io',
      versions: ['v1'],
      resource: 'endpointslices',
      singular: 'endpointslice',
      kind: 'EndpointSlice',
      listKind: 'EndpointSliceList',
      namespaced: true,
      subresources: [],
      custom: false,
      generation: true,
      nameRule: 'subdomain',
    },
    {
      group: 'apps',
      versions: ['v1'],
      resource: 'deployments',
      singular: 'deployment',
      kind: 'Deployment',
      listKind: 'DeploymentList',
      namespaced: true,
      shortNames: ['deploy'],
      categories: ['all'],
      subresources: ['status', 'scale'],
      custom: false,
      generation: true,
      nameRule: 'subdomain',
    },
    {
      group: 'apps',
      versions: ['v1'],
      resource: 'statefulsets',
      singular: 'statefulset',
      kind: 'StatefulSet',
      listKind: 'StatefulSetList',
      namespaced: true,
      shortNames: ['sts'],
      categories: ['all'],
      subresources: ['status', 'scale'],
      custom: false,
      generation: true,
      nameRule: 'subdomain',
    },
    {
      group: 'autoscaling',
      versions: ['v2'],
      resource: 'horizontalpodautoscalers',
      singular: 'horizontalpodautoscaler',
      kind: 'HorizontalPodAutoscaler',
      listKind: 'HorizontalPodAutoscalerList',
      namespaced: true,
      shortNames: ['hpa'],
      categories: ['all'],
      subresources: ['status'],
      custom: false,
      generation: true,
      nameRule: 'subdomain',
    },
  ];
  catalog.push(...METRICS_API_TYPES);
  if (istio.length > 0) {
    catalog.push(
      istioType('networking.istio.io', 'serviceentries', 'ServiceEntry', ['se']),
      istioType('networking.istio.io', 'destinationrules', 'DestinationRule', ['dr']),
      istioType('networking.istio.io', 'virtualservices', 'VirtualService', ['vs']),
      istioType('networking.istio.io', 'gateways', 'Gateway', ['gw']),
      istioType('security.istio.io', 'peerauthentications', 'PeerAuthentication', ['pa']),
      istioType('security.istio.io', 'authorizationpolicies', 'AuthorizationPolicy', ['ap']),
    );
  }
  return catalog;
}

/** Group -> served versions (preferred first), in the order groups are listed by `/apis`. */
export function groupsOf(catalog: ResourceType[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const type of catalog) {
    const versions = groups.get(type.group) ?? [];
    for (const version of type.versions) if (!versions.includes(version)) versions.push(version);
    groups.set(type.group, versions);
  }
  return groups;
}

export function grKey(group: string, resource: string): string {
  return `${resource}.${group}`;
}
