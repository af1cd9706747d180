import { isDnsLabel } from '../../gns/gns-identity';
import { selects, splitInstance, type ServicePlacement } from '../policy-context';
import type { SubsetSpec } from '../policy-spec';
import type { Findings } from './findings';

/** Names, labels and overlaps of the subsets; returns the names defined, for the routes to check against. */
export function checkSubsets(subsets: readonly SubsetSpec[], findings: Findings): Set<string> {
  const names = new Set<string>();
  subsets.forEach((subset, index) => {
    const field = `subsets[${index}]`;
    if (!isDnsLabel(subset.name))
      findings.error(
        `${field}.name`,
        `"${subset.name}" must be a DNS label (lowercase letters, digits, "-")`,
      );
    if (names.has(subset.name)) findings.error(`${field}.name`, `subset "${subset.name}" is defined twice`);
    names.add(subset.name);
    if (Object.keys(subset.labels).length === 0)
      findings.error(`${field}.labels`, 'must select by at least one label (e.g. {"version": "v2"})');
    const earlier = subsets.slice(0, index).findIndex((other) => sameLabels(other.labels, subset.labels));
    if (earlier >= 0 && Object.keys(subset.labels).length > 0)
      findings.error(
        `${field}.labels`,
        `selects the same endpoints as subsets[${earlier}] ("${subsets[earlier].name}")`,
      );
  });
  return names;
}

/**
 * Subsets checked against the live inventory: one no pod carries yet, and instances a split
 * leaves partly uncovered or cannot split, are warnings (canaries are set up before deploying).
 */
export function warnAboutSubsets(
  subsets: readonly SubsetSpec[],
  routed: ReadonlySet<string>,
  placements: readonly ServicePlacement[],
  service: string,
  findings: Findings,
): void {
  subsets.forEach((subset, index) => {
    if (Object.keys(subset.labels).length === 0) return;
    if (
      placements.some((placement) =>
        placement.endpointGroupLabels.some((labels) => selects(subset.labels, labels)),
      )
    )
      return;
    findings.warn(
      `subsets[${index}]`,
      `no pod of ${service} is labelled ${labelList(subset.labels)} at the moment; requests routed to this subset fail (503) until one runs`,
    );
  });
  for (const placement of placements) {
    const split = splitInstance(placement.endpointGroupLabels, placement.selector, subsets, routed);
    const where = `${service} in cluster "${placement.clusterName}", namespace "${placement.namespace}"`;
    if (split.unsplittable)
      findings.warn(
        'subsets',
        `${where} runs pods of subsets ${split.mixedSubsets.join(', ')} next to other pods behind a Service without a pod selector; Lattice cannot render per-version Services for it, so that instance is in none of them`,
      );
    if (split.uncovered.length > 0)
      findings.warn(
        'subsets',
        `${where} is split into per-version Services by subsets ${split.mixedSubsets.join(', ')}; its pods labelled ${split.uncovered.map((labels) => labelList(labels) || '(no app/version label)').join(' and ')} are in none of them and get no traffic through the GNS host while it is split`,
      );
  }
}

function labelList(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}
