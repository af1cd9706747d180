import { Badge, Button, Card, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { gql } from '../api/client';
import { AutoscalingEventsQuery, GnsAutoscalingQuery } from '../api/operations';
import { useData } from '../api/use-data';
import { dateTime } from '../lib/format';
import { DataStates, Empty } from './states';

/** What a policy does, in a line: mode, instance bounds, triggers, recommend-only. */
export function autoscalingSummary(spec: Record<string, unknown>): string {
  const instances = (spec.instances ?? {}) as { min?: number; max?: number };
  const triggers = Array.isArray(spec.triggers)
    ? (spec.triggers as { metric?: string }[]).map((trigger) => trigger.metric ?? '?').join(', ')
    : '';
  return [
    String(spec.mode ?? ''),
    `${instances.min ?? '?'}–${instances.max ?? '?'} instances`,
    triggers && `on ${triggers}`,
    spec.recommendOnly === true ? '(recommend only)' : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * The autoscaling policies of a GNS and, per service, the decisions the agents made — the rule
 * that fired, the replica change and what blocked it (docs/autoscaling.md).
 */
export function AutoscalingCard({ gnsId }: { gnsId: string }) {
  const policies = useData(() => gql(GnsAutoscalingQuery, { id: gnsId }), `autoscaling-${gnsId}`, 30_000);
  const [service, setService] = useState<string | null>(null);
  const list = policies.data?.globalNamespace.autoscalingPolicies ?? [];
  return (
    <Card withBorder data-testid="gns-autoscaling">
      <Title order={4}>Autoscaling</Title>
      <DataStates
        loading={policies.loading}
        error={policies.error}
        data={policies.data}
        isEmpty={list.length === 0}
        empty="No autoscaling policy in this Global Namespace."
      />
      {list.length > 0 && (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Service</Table.Th>
              <Table.Th>Policy</Table.Th>
              <Table.Th>Updated</Table.Th>
              <Table.Th>Decisions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((policy) => (
              <Table.Tr key={policy.service}>
                <Table.Td>{policy.service}</Table.Td>
                <Table.Td>{autoscalingSummary(policy.spec as Record<string, unknown>)}</Table.Td>
                <Table.Td>{dateTime(policy.updatedAt)}</Table.Td>
                <Table.Td>
                  <Button size="compact-sm" variant="light" onClick={() => setService(policy.service)}>
                    Show decisions
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {service && <AutoscalingDecisions gnsId={gnsId} service={service} />}
    </Card>
  );
}

function AutoscalingDecisions({ gnsId, service }: { gnsId: string; service: string }) {
  const events = useData(
    () => gql(AutoscalingEventsQuery, { gnsId, service }),
    `autoscaling-events-${gnsId}-${service}`,
    15_000,
  );
  const list = events.data?.autoscalingEvents.nodes ?? [];
  return (
    <Stack gap="xs" mt="md" data-testid="autoscaling-decisions">
      <Title order={5}>Decisions for {service} (newest first)</Title>
      <DataStates loading={events.loading} error={events.error} data={events.data} />
      {events.data && list.length === 0 && <Empty>No decision yet.</Empty>}
      {list.length > 0 && (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Decided</Table.Th>
              <Table.Th>Cluster / workload</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Replicas</Table.Th>
              <Table.Th>Rule</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((event) => (
              <Table.Tr key={event.id}>
                <Table.Td>{dateTime(event.decidedAt)}</Table.Td>
                <Table.Td>
                  {event.clusterName}{' '}
                  <Code>
                    {event.target.kind}/{event.target.namespace}/{event.target.name}
                  </Code>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge variant="light">{event.action}</Badge>
                    <Badge variant="outline" color={event.outcome === 'FAILED' ? 'red' : 'gray'}>
                      {event.outcome}
                    </Badge>
                  </Group>
                </Table.Td>
                <Table.Td>
                  {event.fromReplicas} → {event.toReplicas}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{event.rule}</Text>
                  {event.blockedBy && (
                    <Text size="xs" c="dimmed">
                      blocked by {event.blockedBy}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
