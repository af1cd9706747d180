import {
  Alert,
  Button,
  Code,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useAuth } from '../api/auth';
import { gql, rest } from '../api/client';
import { loadClusters } from '../api/lists';
import { ClusterStatusQuery } from '../api/operations';
import { useData } from '../api/use-data';
import { StatusBadge } from '../components/StatusBadge';
import { DataStates, ErrorNotice, Loading } from '../components/states';
import { dateTime, DASH } from '../lib/format';

interface Registered {
  cluster: { id: string; name: string };
  bootstrap: {
    token: string;
    expiresAt: string;
    controller: string;
    controllerCaPem: string;
    command: string;
  };
}

export function ClustersPage() {
  const { canEdit } = useAuth();
  const clusters = useData(loadClusters, 'clusters', 10_000);
  const [registering, setRegistering] = useState(false);
  const list = clusters.data ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Clusters</Title>
        {canEdit && <Button onClick={() => setRegistering(true)}>Register cluster</Button>}
      </Group>
      <DataStates
        loading={clusters.loading}
        error={clusters.error}
        data={clusters.data}
        isEmpty={list.length === 0}
        empty="No cluster is registered yet."
      />
      {list.length > 0 && (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Agent</Table.Th>
              <Table.Th>Applied / desired</Table.Th>
              <Table.Th>Last NACK</Table.Th>
              <Table.Th>Conditions</Table.Th>
              <Table.Th>Inventory</Table.Th>
              <Table.Th>Last seen</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((c) => (
              <Table.Tr key={c.id} data-testid={`cluster-${c.name}`}>
                <Table.Td>
                  <Text fw={600}>{c.name}</Text>
                  <Text size="xs" c="dimmed">
                    {c.eastWestAddress ?? 'no east-west gateway'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <StatusBadge value={c.status} />
                </Table.Td>
                <Table.Td>{c.agentVersion ?? DASH}</Table.Td>
                <Table.Td>
                  {c.appliedVersion} / {c.desiredVersion}
                </Table.Td>
                <Table.Td>
                  {c.lastNack ? (
                    <Text size="sm" c="red">
                      v{c.lastNack.version}: {c.lastNack.reason || 'no reason given'} (
                      {dateTime(c.lastNack.at)})
                    </Text>
                  ) : (
                    DASH
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {c.conditions.map((condition) => (
                      <Tooltip
                        key={condition.type}
                        label={`${condition.reason}: ${condition.message}`}
                        multiline
                        w={300}
                      >
                        <span tabIndex={0}>
                          <Text size="xs" span>
                            {condition.type}{' '}
                          </Text>
                          <StatusBadge value={condition.status} />
                        </span>
                      </Tooltip>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>
                  {c.inventory.namespaces} namespaces, {c.inventory.services} services
                </Table.Td>
                <Table.Td>{dateTime(c.lastSeenAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Modal opened={registering} onClose={() => setRegistering(false)} title="Register a cluster" size="xl">
        <RegisterCluster onDone={() => clusters.reload()} />
      </Modal>
    </Stack>
  );
}

function RegisterCluster({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [eastWest, setEastWest] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [registered, setRegistered] = useState<Registered>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = { name: name.trim(), ...(eastWest.trim() ? { eastWestAddress: eastWest.trim() } : {}) };
      const result = await rest<Registered>('POST', '/v1/clusters', body, {
        'Idempotency-Key': crypto.randomUUID(),
      });
      setRegistered(result.data);
      onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (registered) return <Onboarding registered={registered} onConnected={onDone} />;
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput
          label="Cluster name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          required
        />
        <TextInput
          label="East-west gateway address"
          description="The address other clusters reach this one at (port 15443); optional"
          value={eastWest}
          onChange={(e) => setEastWest(e.currentTarget.value)}
        />
        <ErrorNotice error={error} />
        <Button type="submit" loading={busy} disabled={name.trim() === ''}>
          Register
        </Button>
      </Stack>
    </form>
  );
}

/** The one-time token and install commands, then a wait until the agent connects. */
function Onboarding({ registered, onConnected }: { registered: Registered; onConnected: () => void }) {
  const status = useData(
    () => gql(ClusterStatusQuery, { id: registered.cluster.id }),
    registered.cluster.id,
    3_000,
  );
  const connected = status.data?.cluster.status === 'CONNECTED';
  useEffect(() => {
    if (connected) onConnected();
  }, [connected, onConnected]);
  return (
    <Stack>
      <Alert color="yellow" title="Shown once">
        This bootstrap token is shown only now and works once, until{' '}
        {dateTime(registered.bootstrap.expiresAt)}. Copy the commands before closing this dialog.
      </Alert>
      <Text size="sm">Bootstrap token</Text>
      <Code block data-testid="bootstrap-token">
        {registered.bootstrap.token}
      </Code>
      <Text size="sm">Install the agent (controller {registered.bootstrap.controller})</Text>
      <Code block data-testid="install-command">
        {registered.bootstrap.command}
      </Code>
      <Text size="sm">Controller CA (the agent verifies the controller with it)</Text>
      <Code block style={{ maxHeight: 120, overflow: 'auto' }}>
        {registered.bootstrap.controllerCaPem}
      </Code>
      {connected ? (
        <Alert color="green" title="Connected" data-testid="agent-connected">
          The agent of {registered.cluster.name} is connected (
          {status.data?.cluster.agentVersion ?? 'unknown version'}).
        </Alert>
      ) : (
        <Group>
          <Loading label={`Waiting for the agent of ${registered.cluster.name} to connect…`} />
        </Group>
      )}
      <ErrorNotice error={status.error} />
    </Stack>
  );
}
