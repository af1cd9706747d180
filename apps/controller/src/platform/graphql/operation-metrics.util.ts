import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Histogram, type Registry } from 'prom-client';

/**
 * GraphQL operation durations by operation type and root field. Labels come from the validated
 * document, so they are names the schema defines (bounded), never the client's operation name.
 * A document that failed to parse or validate is `root_field="invalid"`.
 */
export function operationMetricsPlugin(registry: Registry): ApolloServerPlugin<BaseContext> {
  const duration = new Histogram({
    name: 'lattice_graphql_operation_duration_seconds',
    help: 'GraphQL operation duration by operation type, first root field and outcome (ok or error)',
    labelNames: ['operation_type', 'root_field', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    async requestDidStart() {
      const startedAt = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, errors }) {
          const firstField = operation?.selectionSet.selections.find(
            (selection) => selection.kind === 'Field',
          );
          duration.observe(
            {
              operation_type: operation?.operation ?? 'unknown',
              root_field: firstField && firstField.kind === 'Field' ? firstField.name.value : 'invalid',
              outcome: errors?.length ? 'error' : 'ok',
            },
            Number(process.hrtime.bigint() - startedAt) / 1e9,
          );
        },
      };
    },
  };
}
