import { Code, Stack, Table, Text, Title } from '@mantine/core';
import { rest } from '../api/client';
import { useData } from '../api/use-data';
import { DataStates } from '../components/states';
import { dateTime } from '../lib/format';

interface AuditEvent {
  id: string;
  at: string;
  actor: Record<string, unknown>;
  action: string;
  resourceType: string;
  resourceId: string;
  requestId: string | null;
}

function actorName(actor: Record<string, unknown>): string {
  return String(actor.tokenName ?? actor.name ?? actor.kind ?? actor.tokenId ?? '');
}

export function AuditPage() {
  const events = useData(
    () => rest<{ items: AuditEvent[] }>('GET', '/v1/audit-events?limit=100'),
    'audit',
    30_000,
  );
  const list = events.data?.data.items ?? [];
  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      <Text size="sm" c="dimmed">
        The newest 100 changes of this tenant.
      </Text>
      <DataStates
        loading={events.loading}
        error={events.error}
        data={events.data}
        isEmpty={list.length === 0}
        empty="Nothing has changed yet."
      />
      {list.length > 0 && (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Who</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Resource</Table.Th>
              <Table.Th>Request id</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>{dateTime(e.at)}</Table.Td>
                <Table.Td>{actorName(e.actor)}</Table.Td>
                <Table.Td>{e.action}</Table.Td>
                <Table.Td>
                  {e.resourceType} <Code>{e.resourceId}</Code>
                </Table.Td>
                <Table.Td>
                  <Code>{e.requestId ?? '—'}</Code>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
