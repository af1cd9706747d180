import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  Group,
  List,
  Stack,
  Stepper,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useAuth } from '../api/auth';
import { gql, rest } from '../api/client';
import { GlobalNamespaceQuery, GnsCaQuery } from '../api/operations';
import { useData } from '../api/use-data';
import { AutoscalingCard } from '../components/AutoscalingCard';
import { DeleteButton } from '../components/DeleteButton';
import { StatusBadge } from '../components/StatusBadge';
import { DataStates, Empty, ErrorNotice } from '../components/states';
import { dateTime } from '../lib/format';

const STAGES = ['IDLE', 'TRUST_BOTH', 'ISSUING_NEW', 'DROP_OLD'] as const;

export function GnsDetailPage() {
  const { id = '' } = useParams();
  const { canEdit } = useAuth();
  const navigate = useNavigate();
  const gns = useData(() => gql(GlobalNamespaceQuery, { id }), `gns-${id}`, 15_000);
  const g = gns.data?.globalNamespace;
  return (
    <Stack>
      <DataStates loading={gns.loading} error={gns.error} data={gns.data} />
      {g && (
        <>
          <Group justify="space-between">
            <div>
              <Title order={2}>{g.name}</Title>
              <Text c="dimmed">
                {g.domain} · mTLS {g.mtlsMode} · {g.description}
              </Text>
            </div>
            <Group>
              <Button component={Link} to={`/gns/${id}/topology`} variant="light">
                Topology
              </Button>
              <Button component={Link} to={`/gns/${id}/policies`} variant="light">
                Policies
              </Button>
              {canEdit && (
                <>
                  <Button component={Link} to={`/gns/${id}/edit`}>
                    Edit
                  </Button>
                  <DeleteButton
                    path={`/v1/global-namespaces/${id}`}
                    what={`Global Namespace "${g.name}"`}
                    consequence="Its services leave every member cluster's mesh; its CA, traffic, security and autoscaling policies and its SLOs are deleted with it."
                    onDeleted={() => navigate('/gns')}
                  />
                </>
              )}
            </Group>
          </Group>
          <Card withBorder>
            <Title order={4}>Match conditions</Title>
            <List size="sm">
              {g.matchConditions.map((c, i) => (
                <List.Item key={i}>
                  cluster {c.cluster.type} <Code>{c.cluster.value}</Code>, namespace {c.namespace.type}{' '}
                  <Code>{c.namespace.value}</Code>
                </List.Item>
              ))}
            </List>
          </Card>
          <Card withBorder data-testid="gns-members">
            <Title order={4}>Members</Title>
            {g.status.memberNamespaces.length === 0 ? (
              <Empty>No namespace matches yet.</Empty>
            ) : (
              <Group gap="xs">
                {g.status.memberNamespaces.map((m) => (
                  <Badge key={m.clusterId + m.namespace} variant="light">
                    {m.clusterName}/{m.namespace}
                  </Badge>
                ))}
              </Group>
            )}
            {[...g.status.conflicts, ...g.status.warnings].length > 0 && (
              <Alert color="orange" mt="sm" title="Conflicts and warnings">
                {[...g.status.conflicts, ...g.status.warnings].map((issue, i) => (
                  <Text size="sm" key={i}>
                    {issue.kind}: {issue.reason}
                  </Text>
                ))}
              </Alert>
            )}
          </Card>
          <Card withBorder>
            <Title order={4}>Services and DNS names</Title>
            {g.services.length === 0 ? (
              <Empty>No member service yet.</Empty>
            ) : (
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Service</Table.Th>
                    <Table.Th>DNS name</Table.Th>
                    <Table.Th>Ports</Table.Th>
                    <Table.Th>Instances (ready endpoints)</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {g.services.map((s) => (
                    <Table.Tr key={s.name}>
                      <Table.Td>{s.name}</Table.Td>
                      <Table.Td>
                        <Code>{s.hostname}</Code>
                      </Table.Td>
                      <Table.Td>{s.ports.map((p) => `${p.number}/${p.protocol}`).join(', ')}</Table.Td>
                      <Table.Td>
                        {s.instances
                          .map((i) => `${i.clusterName}/${i.namespace} (${i.readyEndpoints})`)
                          .join(', ')}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Card>
          <CaCard id={id} canEdit={canEdit} />
          <AutoscalingCard gnsId={id} />
          <Anchor component={Link} to={`/slos?gns=${id}`}>
            SLOs of {g.name}
          </Anchor>
        </>
      )}
    </Stack>
  );
}

function CaCard({ id, canEdit }: { id: string; canEdit: boolean }) {
  const ca = useData(() => gql(GnsCaQuery, { id }), `gns-ca-${id}`, 5_000);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const data = ca.data?.globalNamespace.ca;
  const stage = data?.rotation?.stage ?? 'IDLE';
  const rotate = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await rest('POST', `/v1/global-namespaces/${id}/ca/rotate`, undefined, {
        'Idempotency-Key': crypto.randomUUID(),
      });
      ca.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder data-testid="gns-ca">
      <Group justify="space-between">
        <Title order={4}>Certificate authority</Title>
        {canEdit && (
          <Button onClick={rotate} loading={busy} disabled={stage !== 'IDLE'} variant="light" color="orange">
            Rotate root CA
          </Button>
        )}
      </Group>
      <DataStates loading={ca.loading} error={ca.error} data={ca.data} />
      <ErrorNotice error={error} title="Rotation not started" />
      {data && (
        <Stack gap="sm" mt="sm">
          <Text size="sm">
            Trust domain <Code>{data.trustDomain}</Code> · rotation stage <StatusBadge value={stage} />
          </Text>
          <Stepper
            active={STAGES.indexOf(stage as (typeof STAGES)[number])}
            size="xs"
            aria-label="Rotation progress"
          >
            <Stepper.Step label="Idle" />
            <Stepper.Step label="Trust both roots" />
            <Stepper.Step label="Issue from the new root" />
            <Stepper.Step label="Drop the old root" />
          </Stepper>
          {data.rotation?.waitingFor && (
            <Text size="sm" c="dimmed">
              Waiting: {data.rotation.waitingFor.reason}
            </Text>
          )}
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Root</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Not after</Table.Th>
                <Table.Th>SHA-256</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.roots.map((root) => (
                <Table.Tr key={root.generation}>
                  <Table.Td>
                    generation {root.generation}
                    {root.issuing ? ' (issuing)' : ''}
                  </Table.Td>
                  <Table.Td>{root.state}</Table.Td>
                  <Table.Td>{dateTime(root.notAfter)}</Table.Td>
                  <Table.Td>
                    <Code>{root.fingerprintSha256.slice(0, 23)}…</Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="sm" fw={600}>
            Cluster intermediates
          </Text>
          {data.intermediates.map((i) => (
            <Text size="sm" key={i.clusterId + i.rootGeneration}>
              {i.clusterName}: <StatusBadge value={i.state} /> root {i.rootGeneration}, until{' '}
              {dateTime(i.notAfter)}
              {i.lastError ? ` — ${i.lastError}` : ''}
            </Text>
          ))}
        </Stack>
      )}
    </Card>
  );
}
