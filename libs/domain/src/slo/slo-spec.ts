import type { FieldError } from '../errors';
import { isDnsLabel } from '../gns/gns-identity';
import {
  DEFAULT_SLO_NO_DATA_POLICY,
  validateSloDefinition,
  type SloBudgetingMethod,
  type SloDefinition,
  type SloIndicator,
  type SloNoDataPolicy,
  type SloType,
  type SloWindowSpec,
} from './slo-definition';

/** What an editor defines: the SLO definition plus where it applies. */
export interface SloSpec extends SloDefinition {
  name: string;
  description: string;
  gnsId: string;
  services: string[];
}

export interface SloSpecInput {
  name?: unknown;
  description?: unknown;
  gnsId?: unknown;
  services?: unknown;
  indicators?: unknown;
  targetPercent?: unknown;
  window?: unknown;
  budgeting?: unknown;
  type?: unknown;
  noDataPolicy?: unknown;
}

export const MAX_SLO_SERVICES = 20;
export const MAX_SLO_INDICATORS = 10;
const SERVICE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Checks an editor's input and returns the spec with defaults (description "", type MONITORED,
 * budgeting TIME_SLICES, noDataPolicy IGNORE), or every problem, each naming its field. Whether the services are
 * members of the GNS is checked by the caller, which knows the live membership.
 */
export function parseSloSpec(
  input: SloSpecInput,
): { spec: SloSpec; problems: [] } | { spec: null; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const { name, gnsId, services } = input;
  if (typeof name !== 'string' || !isDnsLabel(name)) {
    problems.push({
      field: 'name',
      message: 'must be 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
    });
  }
  const description = input.description ?? '';
  if (typeof description !== 'string' || description.length > 1000) {
    problems.push({ field: 'description', message: 'must be a string of at most 1000 characters' });
  }
  if (typeof gnsId !== 'string' || gnsId === '')
    problems.push({ field: 'gnsId', message: 'must be the id of a Global Namespace' });
  if (!Array.isArray(services) || services.length === 0 || services.length > MAX_SLO_SERVICES) {
    problems.push({
      field: 'services',
      message: `must list 1 to ${MAX_SLO_SERVICES} services of the Global Namespace`,
    });
  } else {
    const seen = new Set<unknown>();
    services.forEach((service, index) => {
      if (typeof service !== 'string' || !SERVICE_NAME.test(service)) {
        problems.push({ field: `services[${index}]`, message: 'must be a Kubernetes service name' });
      } else if (seen.has(service)) {
        problems.push({ field: `services[${index}]`, message: `lists ${service} twice` });
      }
      seen.add(service);
    });
  }
  if (Array.isArray(input.indicators) && input.indicators.length > MAX_SLO_INDICATORS) {
    problems.push({ field: 'indicators', message: `at most ${MAX_SLO_INDICATORS} indicators are allowed` });
  }
  const indicators = Array.isArray(input.indicators)
    ? input.indicators.map((indicator: unknown, index) => {
        if (typeof indicator !== 'object' || indicator === null) {
          problems.push({ field: `indicators[${index}]`, message: 'must be an object with a kind' });
          return { kind: 'ERROR_RATE', maxErrorRatePercent: 0 } as SloIndicator;
        }
        return indicatorOf(indicator as Record<string, unknown>);
      })
    : input.indicators;
  const definition = {
    indicators: indicators as SloIndicator[],
    targetPercent: input.targetPercent as number,
    window: input.window as SloWindowSpec,
    budgeting: (input.budgeting ?? 'TIME_SLICES') as SloBudgetingMethod,
    type: (input.type ?? 'MONITORED') as SloType,
    noDataPolicy: (input.noDataPolicy ?? DEFAULT_SLO_NO_DATA_POLICY) as SloNoDataPolicy,
  };
  if (typeof definition.targetPercent !== 'number') {
    problems.push({
      field: 'targetPercent',
      message: 'must be a number strictly between 0 and 100 (e.g. 99.9)',
    });
  }
  for (const problem of validateSloDefinition(definition)) {
    if (problem.path === 'targetPercent' && typeof definition.targetPercent !== 'number') continue;
    problems.push({ field: problem.path, message: problem.message });
  }
  if (problems.length > 0) return { spec: null, problems };
  return {
    spec: {
      name: name as string,
      description: description as string,
      gnsId: gnsId as string,
      services: services as string[],
      ...definition,
    },
    problems: [],
  };
}

/** Keeps only the fields of the indicator's kind, so stored definitions carry nothing stray. */
function indicatorOf(raw: Record<string, unknown>): SloIndicator {
  if (raw.kind === 'LATENCY') {
    return { kind: 'LATENCY', percentile: raw.percentile as 'p50', thresholdMs: raw.thresholdMs as number };
  }
  if (raw.kind === 'ERROR_RATE')
    return { kind: 'ERROR_RATE', maxErrorRatePercent: raw.maxErrorRatePercent as number };
  return raw as unknown as SloIndicator;
}
