import type { HttpRouteSpec } from '../policy-spec';
import { knownList, type Findings } from './findings';

/** A route's destinations: known subsets, each once, weights 0..100 that sum to 100. */
export function checkDestinations(
  field: string,
  route: HttpRouteSpec,
  subsets: ReadonlySet<string>,
  findings: Findings,
): void {
  const destinations = route.destinations;
  if (destinations.length === 0) {
    findings.error(`${field}.destinations`, 'must hold at least one destination');
    return;
  }
  const seen = new Set<string>();
  destinations.forEach((destination, index) => {
    const at = `${field}.destinations[${index}]`;
    if (destination.subset !== undefined && !subsets.has(destination.subset))
      findings.error(
        `${at}.subset`,
        `unknown subset "${destination.subset}"${knownList(' (defined: ', [...subsets], ')') || ' (the policy defines no subsets)'}`,
      );
    const key = destination.subset ?? '';
    if (seen.has(key))
      findings.error(
        `${at}.subset`,
        `${destination.subset === undefined ? 'the whole service' : `subset "${destination.subset}"`} is a destination twice`,
      );
    seen.add(key);
    if (destination.weight !== undefined && (destination.weight < 0 || destination.weight > 100))
      findings.error(`${at}.weight`, 'must be between 0 and 100');
  });
  checkWeights(field, destinations, findings);
}

function checkWeights(field: string, destinations: HttpRouteSpec['destinations'], findings: Findings): void {
  if (destinations.length === 1) {
    const weight = destinations[0].weight;
    if (weight !== undefined && weight !== 100)
      findings.error(
        `${field}.destinations[0].weight`,
        `a single destination takes all traffic: weight must be 100 (or left out), not ${weight}`,
      );
    return;
  }
  const missing = destinations.findIndex((destination) => destination.weight === undefined);
  if (missing >= 0) {
    findings.error(
      `${field}.destinations[${missing}].weight`,
      'is required when a route has several destinations',
    );
    return;
  }
  const sum = destinations.reduce((total, destination) => total + (destination.weight ?? 0), 0);
  if (sum !== 100) findings.error(`${field}.destinations`, `weights sum to ${sum}; they must sum to 100`);
}
