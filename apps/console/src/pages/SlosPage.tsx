import { Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useSearchParams } from 'react-router-dom';
import { useAuth } from '../api/auth';
import { loadSlos } from '../api/lists';
import { useData } from '../api/use-data';
import { StatusBadge } from '../components/StatusBadge';
import { DataStates } from '../components/states';
import { BURN_WINDOW_LABEL, burn, percent } from '../lib/format';

export function SlosPage() {
  const { canEdit } = useAuth();
  const [params] = useSearchParams();
  const gnsId = params.get('gns');
  const slos = useData(() => loadSlos(gnsId), `slos-${gnsId ?? 'all'}`, 15_000);
  const list = slos.data ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>SLOs</Title>
        {canEdit && (
          <Button component={Link} to={gnsId ? `/slos/new?gns=${gnsId}` : '/slos/new'}>
            Create SLO
          </Button>
        )}
      </Group>
      <DataStates
        loading={slos.loading}
        error={slos.error}
        data={slos.data}
        isEmpty={list.length === 0}
        empty="No SLO yet."
      />
      {list.length > 0 && (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Services</Table.Th>
              <Table.Th>Target</Table.Th>
              <Table.Th>Health</Table.Th>
              <Table.Th>Compliance</Table.Th>
              <Table.Th>Budget left</Table.Th>
              <Table.Th>Burn rates</Table.Th>
              <Table.Th>Alerts</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((slo) => (
              <Table.Tr key={slo.id} data-testid={`slo-${slo.name}`}>
                <Table.Td>
                  <Anchor component={Link} to={`/slos/${slo.id}`}>
                    {slo.name}
                  </Anchor>
                  <Text size="xs" c="dimmed">
                    {slo.type}
                  </Text>
                </Table.Td>
                <Table.Td>{slo.services.join(', ')}</Table.Td>
                <Table.Td>
                  {slo.targetPercent} % / {slo.window}
                </Table.Td>
                <Table.Td>
                  <StatusBadge value={slo.status?.health} />
                </Table.Td>
                <Table.Td>{percent(slo.status?.compliance, 3)}</Table.Td>
                <Table.Td>{percent(slo.status?.budget.remainingFraction, 1)}</Table.Td>
                <Table.Td>
                  <Text size="xs">
                    {(slo.status?.burnRates ?? [])
                      .map((b) => `${BURN_WINDOW_LABEL[b.window] ?? b.window} ${burn(b.rate)}`)
                      .join(' · ')}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {(slo.status?.activeAlerts ?? []).map((a) => (
                    <StatusBadge key={a.rule} value={a.severity} />
                  ))}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
