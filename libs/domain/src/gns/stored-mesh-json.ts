import { z } from 'zod';
import type { ClusterInventory } from './inventory';
import type { MatchCondition } from './match-conditions';

/*
 * The one decoder of the controller's mesh JSON columns (a GNS's match conditions, a cluster's
 * inventory): read back through schemas rather than casts: the inventory is written by the
 * agent gateway from proto messages (proto3 omits default values), and a row that does not parse
 * must degrade one cluster or one GNS, not fail the recompute of the whole tenant.
 */

const labels = z.record(z.string(), z.string()).default({});

const inventorySchema = z.object({
  namespaces: z.array(z.object({ name: z.string(), labels })).default([]),
  services: z
    .array(
      z.object({
        namespace: z.string(),
        name: z.string(),
        labels,
        ports: z
          .array(
            z.object({
              name: z.string().default(''),
              port: z.number().int(),
              protocol: z.string().default(''),
              targetPort: z.number().int().default(0),
            }),
          )
          .default([]),
        endpointGroups: z
          .array(
            z.object({
              labels,
              ready: z.number().int().nonnegative().default(0),
              notReady: z.number().int().nonnegative().default(0),
            }),
          )
          .default([]),
        // Empty: a Service without a selector, or stored before agents reported selectors.
        selector: labels,
      }),
    )
    .default([]),
});

const selectorSchema = z.object({ type: z.enum(['EXACT', 'PREFIX', 'REGEX']), value: z.string() });
const matchConditionsSchema = z.array(z.object({ cluster: selectorSchema, namespace: selectorSchema }));

export const EMPTY_INVENTORY: ClusterInventory = { namespaces: [], services: [] };

export type ParsedStoredJson<T> = { ok: true; value: T } | { ok: false; error: string };

export function parseStoredInventory(json: unknown): ParsedStoredJson<ClusterInventory> {
  const result = inventorySchema.safeParse(json);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, error: z.prettifyError(result.error) };
}

export function parseStoredMatchConditions(json: unknown): ParsedStoredJson<MatchCondition[]> {
  const result = matchConditionsSchema.safeParse(json);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, error: z.prettifyError(result.error) };
}
