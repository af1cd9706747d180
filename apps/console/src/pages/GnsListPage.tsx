import { Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useAuth } from '../api/auth';
import { loadGlobalNamespaces } from '../api/lists';
import { useData } from '../api/use-data';
import { StatusBadge } from '../components/StatusBadge';
import { DataStates } from '../components/states';

export function GnsListPage() {
  const { canEdit } = useAuth();
  const gnss = useData(loadGlobalNamespaces, 'gns-list', 15_000);
  const list = gnss.data ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Global Namespaces</Title>
        {canEdit && (
          <Button component={Link} to="/gns/new">
            Create Global Namespace
          </Button>
        )}
      </Group>
      <DataStates
        loading={gnss.loading}
        error={gnss.error}
        data={gnss.data}
        isEmpty={list.length === 0}
        empty="No Global Namespace yet."
      />
      {list.length > 0 && (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Domain</Table.Th>
              <Table.Th>Members</Table.Th>
              <Table.Th>Services</Table.Th>
              <Table.Th>mTLS</Table.Th>
              <Table.Th>Health</Table.Th>
              <Table.Th>Views</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((g) => (
              <Table.Tr key={g.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/gns/${g.id}`}>
                    {g.name}
                  </Anchor>
                  <Text size="xs" c="dimmed">
                    {g.description}
                  </Text>
                </Table.Td>
                <Table.Td>{g.domain}</Table.Td>
                <Table.Td>
                  {g.status.memberNamespaces.map((m) => `${m.clusterName}/${m.namespace}`).join(', ') ||
                    'none'}
                </Table.Td>
                <Table.Td>{g.status.serviceCount}</Table.Td>
                <Table.Td>{g.mtlsMode}</Table.Td>
                <Table.Td>
                  <StatusBadge
                    value={
                      g.status.conflicts.length > 0
                        ? 'WARNING'
                        : g.status.warnings.length > 0
                          ? 'WARNING'
                          : 'HEALTHY'
                    }
                  />
                </Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    <Anchor component={Link} to={`/gns/${g.id}/topology`} size="sm">
                      Topology
                    </Anchor>
                    <Anchor component={Link} to={`/gns/${g.id}/policies`} size="sm">
                      Policies
                    </Anchor>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
