import { Anchor, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { loadClusters, loadGnsSummaries, loadSlos } from '../api/lists';
import { useData } from '../api/use-data';
import { StatusBadge } from '../components/StatusBadge';
import { DataStates, Empty } from '../components/states';

function Stat({ label, value, testId }: { label: string; value: string | number; testId?: string }) {
  return (
    <Card withBorder padding="md">
      <Text size="xs" c="dimmed" tt="uppercase">
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId}>
        {value}
      </Text>
    </Card>
  );
}

export function OverviewPage() {
  const clusterList = useData(loadClusters, 'overview-clusters', 30_000);
  const overview = useData(loadGnsSummaries, 'overview', 30_000);
  const slos = useData(() => loadSlos(), 'overview-slos', 30_000);
  const clusters = clusterList.data ?? [];
  const gnss = overview.data ?? [];
  const sloList = slos.data ?? [];
  const byHealth = (health: string) => sloList.filter((slo) => slo.status?.health === health).length;
  const alerts = sloList.flatMap((slo) => (slo.status?.activeAlerts ?? []).map((alert) => ({ slo, alert })));
  const healthyGns = gnss.filter((g) => g.status.conflicts.length === 0).length;

  return (
    <Stack>
      <Title order={2}>Overview</Title>
      <DataStates loading={clusterList.loading} error={clusterList.error} data={clusterList.data} />
      <DataStates loading={overview.loading} error={overview.error} data={overview.data} />
      <DataStates loading={slos.loading} error={slos.error} data={slos.data} />
      {overview.data && clusterList.data && (
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          <Stat
            label="Clusters connected"
            value={clusters.filter((c) => c.status === 'CONNECTED').length}
            testId="clusters-connected"
          />
          <Stat
            label="Clusters disconnected"
            value={clusters.filter((c) => c.status === 'DISCONNECTED').length}
          />
          <Stat label="Clusters pending" value={clusters.filter((c) => c.status === 'PENDING').length} />
          <Stat
            label="Global Namespaces (without conflicts)"
            value={`${gnss.length} (${healthyGns})`}
            testId="gns-count"
          />
          <Stat label="SLOs healthy" value={byHealth('HEALTHY')} />
          <Stat label="SLOs warning" value={byHealth('WARNING')} testId="slos-warning" />
          <Stat label="SLOs violated" value={byHealth('VIOLATED')} />
          <Stat label="Active alerts" value={alerts.length} testId="active-alerts" />
        </SimpleGrid>
      )}
      <Card withBorder>
        <Title order={4} mb="sm">
          Active alerts
        </Title>
        {slos.data && alerts.length === 0 ? (
          <Empty>No SLO alert is firing.</Empty>
        ) : (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>SLO</Table.Th>
                <Table.Th>Rule</Table.Th>
                <Table.Th>Severity</Table.Th>
                <Table.Th>Fired</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {alerts.map(({ slo, alert }) => (
                <Table.Tr key={slo.id + alert.rule}>
                  <Table.Td>
                    <Anchor component={Link} to={`/slos/${slo.id}`}>
                      {slo.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{alert.rule}</Table.Td>
                  <Table.Td>
                    <StatusBadge value={alert.severity} />
                  </Table.Td>
                  <Table.Td>{new Date(alert.firedAt).toLocaleString()}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      <Card withBorder>
        <Title order={4} mb="sm">
          Global Namespaces
        </Title>
        {overview.data && gnss.length === 0 && <Empty>No Global Namespace yet.</Empty>}
        <Stack gap={4}>
          {gnss.map((g) => (
            <Group key={g.id} gap="sm">
              <Anchor component={Link} to={`/gns/${g.id}`}>
                {g.name}
              </Anchor>
              <Text size="sm" c="dimmed">
                {g.status.serviceCount} services
              </Text>
              {g.status.conflicts.length > 0 && <StatusBadge value="WARNING" />}
              <Anchor component={Link} to={`/gns/${g.id}/topology`} size="sm">
                topology
              </Anchor>
            </Group>
          ))}
        </Stack>
      </Card>
    </Stack>
  );
}
