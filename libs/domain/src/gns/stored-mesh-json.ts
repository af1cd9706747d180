import { z } from 'zod';
import type { ClusterInventory } from './inventory';
import { SELECTOR_TYPES, type MatchCondition } from './match-conditions';

/*
 * The one decoder of the controller's mesh JSON columns (a GNS's match conditions, a cluster's
 * inventory and labels): read back through schemas rather than casts. The inventory is written by
 * the agent gateway from proto messages (proto3 omits default values, hence the defaults), and a
 * row that does not parse must degrade one cluster or one GNS, not fail the recompute of the
 * whole tenant.
 */

const labels = z.record(z.string(), z.string()).default({});

export const clusterInventorySchema = z.object({
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
}) satisfies z.ZodType<ClusterInventory, unknown>;

/** Kubernetes-style labels as stored (a JSON object of strings). */
export const storedLabelsSchema = z.record(z.string(), z.string());

const selectorSchema = z.object({ type: z.enum(SELECTOR_TYPES), value: z.string() });

/** A GNS's stored match conditions (written after validateMatchConditions). */
export const storedMatchConditionsSchema = z.array(
  z.object({ cluster: selectorSchema, namespace: selectorSchema }),
) satisfies z.ZodType<MatchCondition[], unknown>;

export const EMPTY_INVENTORY: ClusterInventory = { namespaces: [], services: [] };

export type ParsedStoredJson<T> = { ok: true; value: T } | { ok: false; error: string };

export function parseStoredInventory(json: unknown): ParsedStoredJson<ClusterInventory> {
  const result = clusterInventorySchema.safeParse(json);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, error: z.prettifyError(result.error) };
}

export function parseStoredMatchConditions(json: unknown): ParsedStoredJson<MatchCondition[]> {
  const result = storedMatchConditionsSchema.safeParse(json);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, error: z.prettifyError(result.error) };
}
