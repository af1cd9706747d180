import { parse } from 'yaml';
import { z } from 'zod';
import type { ClusterInventory } from './inventory-source.port';

// The inventory file of the file source (demos, tests, clusters without Kubernetes):
//   namespaces: [{ name, labels }]
//   services: [{ namespace, name, labels, ports: [{ name, port, protocol, targetPort }],
//                endpointGroups: [{ labels, ready, notReady }], selector }]
//   mesh: { ... }   (optional; the Istio installation, see apps/agent/src/mesh/mesh-file.schema.ts)
// `selector` (the Service's pod selector) defaults to `app: <name>`, the usual convention.
const labels = z.record(z.string(), z.string()).default({});
const dnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    'must be a DNS label (lowercase letters, digits and "-", at most 63)',
  );
const portNumber = z.number().int().min(1).max(65_535);

const inventoryFileSchema = z
  .object({
    namespaces: z.array(z.object({ name: dnsLabel, labels }).strict()).default([]),
    services: z
      .array(
        z
          .object({
            namespace: dnsLabel,
            name: dnsLabel,
            labels,
            ports: z
              .array(
                z
                  .object({
                    name: z.string().default(''),
                    port: portNumber,
                    protocol: z.enum(['HTTP', 'HTTP2', 'GRPC', 'TCP', 'TLS']).default('TCP'),
                    targetPort: portNumber.optional(),
                  })
                  .strict(),
              )
              .default([]),
            endpointGroups: z
              .array(
                z
                  .object({
                    labels,
                    ready: z.number().int().nonnegative().default(0),
                    notReady: z.number().int().nonnegative().default(0),
                  })
                  .strict(),
              )
              .default([]),
            selector: z.record(z.string(), z.string()).optional(),
          })
          .strict(),
      )
      .default([]),
    // The cluster's Istio installation (apps/agent/src/mesh/mesh-file.schema.ts reads it).
    mesh: z.unknown().optional(),
  })
  .strict();

export class InventoryFileError extends Error {
  override readonly name = 'InventoryFileError';
}

/** Parses and validates the inventory file; errors name the bad field, e.g. `services.0.ports.1.port`. */
export function parseInventoryFile(text: string, source = 'inventory file'): ClusterInventory {
  let document: unknown;
  try {
    document = parse(text) ?? {};
  } catch (error) {
    throw new InventoryFileError(
      `${source}: not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
  const result = inventoryFileSchema.safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new InventoryFileError(`${source}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const { namespaces, services } = result.data;

  const declared = new Set<string>();
  namespaces.forEach((namespace, index) => {
    if (declared.has(namespace.name))
      throw new InventoryFileError(
        `${source}: namespaces.${index}.name: duplicate namespace "${namespace.name}"`,
      );
    declared.add(namespace.name);
  });
  const seenServices = new Set<string>();
  services.forEach((service, index) => {
    if (!declared.has(service.namespace)) {
      throw new InventoryFileError(
        `${source}: services.${index}.namespace: namespace "${service.namespace}" is not listed under namespaces`,
      );
    }
    const key = `${service.namespace}/${service.name}`;
    if (seenServices.has(key))
      throw new InventoryFileError(`${source}: services.${index}.name: duplicate service "${key}"`);
    seenServices.add(key);
  });

  return {
    namespaces,
    services: services.map((service) => ({
      ...service,
      selector: service.selector ?? { app: service.name },
      ports: service.ports.map((port) => ({ ...port, targetPort: port.targetPort ?? port.port })),
    })),
  };
}
