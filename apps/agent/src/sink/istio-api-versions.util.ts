import type { KubeObject } from '@lattice/istio';

/** The Istio API groups Lattice writes to. */
export const ISTIO_API_GROUPS = ['networking.istio.io', 'security.istio.io'] as const;

/**
 * Versions whose schema Lattice renders, in order of preference. For the kinds Lattice writes
 * (ServiceEntry, DestinationRule, VirtualService, PeerAuthentication, AuthorizationPolicy) Istio's
 * `v1` and `v1beta1` schemas are identical; Istio 1.22+ serves both (v1 preferred), older releases
 * only v1beta1, and a future one may serve only v1.
 */
export const SUPPORTED_ISTIO_VERSIONS = ['v1', 'v1beta1'] as const;

/** The part of an APIGroup (`/apis` APIGroupList item, or `/apis/<group>`) that matters here. */
export interface ApiGroupDiscovery {
  name?: string;
  versions?: { version?: string }[];
  preferredVersion?: { version?: string };
}

/**
 * Istio group → the version the agent applies, lists and deletes with. A group missing from the
 * map is not served at all (its CRDs are not installed), so nothing of it can exist in the cluster.
 */
export type IstioApiVersions = ReadonlyMap<string, string>;

/**
 * Picks, per Istio group the API server serves, the version to use: the server's preferred version
 * when Lattice renders it, otherwise the first supported version the server serves. A group served
 * only in versions Lattice does not render is an error (applying there could not work, and reading
 * "nothing there" from it would prune nothing).
 */
export function chooseIstioApiVersions(groups: readonly ApiGroupDiscovery[]): IstioApiVersions {
  const chosen = new Map<string, string>();
  for (const group of ISTIO_API_GROUPS) {
    const served = groups.find((candidate) => candidate.name === group);
    if (!served) continue;
    const versions = (served.versions ?? []).flatMap((entry) => (entry.version ? [entry.version] : []));
    const preferred = served.preferredVersion?.version;
    const supported: readonly string[] = SUPPORTED_ISTIO_VERSIONS;
    const version =
      preferred !== undefined && supported.includes(preferred) && versions.includes(preferred)
        ? preferred
        : SUPPORTED_ISTIO_VERSIONS.find((candidate) => versions.includes(candidate));
    if (!version) {
      throw new Error(
        `the API server serves ${group} only as ${versions.join(', ') || '(no version)'}; Lattice needs ${SUPPORTED_ISTIO_VERSIONS.join(' or ')} (Istio 1.9 or later)`,
      );
    }
    chosen.set(group, version);
  }
  return chosen;
}

export function apiGroupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
}

export function isIstioApiVersion(apiVersion: string): boolean {
  return (ISTIO_API_GROUPS as readonly string[]).includes(apiGroupOf(apiVersion));
}

/**
 * The apiVersion to use for an object of `apiVersion`'s group: the discovered version for Istio
 * groups, `apiVersion` itself for every other group. Undefined when the Istio group is not served.
 */
export function servedApiVersion(apiVersion: string, versions: IstioApiVersions): string | undefined {
  if (!isIstioApiVersion(apiVersion)) return apiVersion;
  const group = apiGroupOf(apiVersion);
  const version = versions.get(group);
  return version === undefined ? undefined : `${group}/${version}`;
}

/** The object as the cluster serves its kind; throws when its Istio group is not served at all. */
export function withServedApiVersion(object: KubeObject, versions: IstioApiVersions): KubeObject {
  const apiVersion = servedApiVersion(object.apiVersion, versions);
  if (apiVersion === undefined) {
    throw new Error(
      `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}: the API server does not serve ${apiGroupOf(object.apiVersion)} (is Istio installed in this cluster?)`,
    );
  }
  return apiVersion === object.apiVersion ? object : { ...object, apiVersion };
}
