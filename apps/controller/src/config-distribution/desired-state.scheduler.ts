/**
 * Asks for the desired state of a tenant's clusters to be recomputed (after a GNS change, an
 * inventory change, a cluster joining or leaving). Implementations debounce across replicas: a
 * burst of calls yields few recomputations, and the last one always sees the latest data.
 */
export abstract class DesiredStateScheduler {
  abstract schedule(tenantId: string, reason: string): Promise<void>;
}
