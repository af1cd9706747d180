import { Alert, Button, Card, Code, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useAuth } from '../api/auth';
import { rest } from '../api/client';
import { useData } from '../api/use-data';
import { DeleteButton } from '../components/DeleteButton';
import { StatusBadge } from '../components/StatusBadge';
import { DataStates, Empty, ErrorNotice } from '../components/states';
import { dateTime } from '../lib/format';

interface Webhook {
  id: string;
  name: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  secretHint: string;
}
interface Delivery {
  id: string;
  eventType: string;
  status: string;
  attempts: number;
  responseCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  createdAt: string;
}

export function WebhooksPage() {
  const { canEdit } = useAuth();
  const webhooks = useData(() => rest<{ items: Webhook[] }>('GET', '/v1/webhooks?limit=100'), 'webhooks');
  const [selected, setSelected] = useState<Webhook | null>(null);
  const [creating, setCreating] = useState(false);
  const list = webhooks.data?.data.items ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Webhooks</Title>
        {canEdit && <Button onClick={() => setCreating(true)}>Add webhook</Button>}
      </Group>
      <DataStates
        loading={webhooks.loading}
        error={webhooks.error}
        data={webhooks.data}
        isEmpty={list.length === 0}
        empty="No webhook endpoint yet."
      />
      {list.length > 0 && (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>URL</Table.Th>
              <Table.Th>Events</Table.Th>
              <Table.Th>Enabled</Table.Th>
              <Table.Th>Deliveries</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((w) => (
              <Table.Tr key={w.id}>
                <Table.Td>{w.name}</Table.Td>
                <Table.Td>
                  <Code>{w.url}</Code>
                </Table.Td>
                <Table.Td>{w.eventTypes.length === 0 ? 'all' : w.eventTypes.join(', ')}</Table.Td>
                <Table.Td>{w.enabled ? 'yes' : 'no'}</Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    <Button size="compact-sm" variant="light" onClick={() => setSelected(w)}>
                      Show deliveries
                    </Button>
                    {canEdit && (
                      <DeleteButton
                        size="compact-sm"
                        path={`/v1/webhooks/${w.id}`}
                        what={`webhook "${w.name}"`}
                        consequence="Alerts are no longer delivered to it; its delivery history goes with it."
                        onDeleted={() => {
                          if (selected?.id === w.id) setSelected(null);
                          webhooks.reload();
                        }}
                      />
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {selected && <Deliveries webhook={selected} canEdit={canEdit} />}
      <Modal opened={creating} onClose={() => setCreating(false)} title="Add a webhook endpoint" size="lg">
        <CreateWebhook onCreated={webhooks.reload} />
      </Modal>
    </Stack>
  );
}

function Deliveries({ webhook, canEdit }: { webhook: Webhook; canEdit: boolean }) {
  const deliveries = useData(
    () => rest<{ items: Delivery[] }>('GET', `/v1/webhooks/${webhook.id}/deliveries`),
    `deliveries-${webhook.id}`,
    10_000,
  );
  const [error, setError] = useState<unknown>();
  const test = async () => {
    setError(undefined);
    try {
      await rest('POST', `/v1/webhooks/${webhook.id}/test`, undefined, {
        'Idempotency-Key': crypto.randomUUID(),
      });
      deliveries.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  const list = deliveries.data?.data.items ?? [];
  return (
    <Card withBorder data-testid="webhook-deliveries">
      <Group justify="space-between">
        <Title order={4}>Deliveries to {webhook.name}</Title>
        {canEdit && (
          <Button size="xs" variant="light" onClick={test}>
            Send a test event
          </Button>
        )}
      </Group>
      <ErrorNotice error={error} />
      <DataStates loading={deliveries.loading} error={deliveries.error} data={deliveries.data} />
      {deliveries.data && list.length === 0 && <Empty>No delivery yet.</Empty>}
      {list.length > 0 && (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Created</Table.Th>
              <Table.Th>Event</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Response</Table.Th>
              <Table.Th>Last error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>{dateTime(d.createdAt)}</Table.Td>
                <Table.Td>{d.eventType}</Table.Td>
                <Table.Td>
                  <StatusBadge value={d.status} />
                </Table.Td>
                <Table.Td>{d.attempts}</Table.Td>
                <Table.Td>{d.responseCode ?? '—'}</Table.Td>
                <Table.Td>
                  <Text size="xs">{d.lastError ?? ''}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

function CreateWebhook({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const created = await rest<{ secret: string }>(
        'POST',
        '/v1/webhooks',
        { name: name.trim(), url: url.trim(), enabled: true },
        { 'Idempotency-Key': crypto.randomUUID() },
      );
      setSecret(created.data.secret);
      onCreated();
    } catch (failure) {
      setError(failure);
    }
  };
  if (secret)
    return (
      <Alert color="yellow" title="Signing secret, shown once">
        <Code block>{secret}</Code>
        Receivers verify X-Lattice-Signature with it (docs/webhooks.md).
      </Alert>
    );
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
        <TextInput
          label="URL"
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          required
          placeholder="https://hooks.example.com/lattice"
        />
        <ErrorNotice error={error} title="Not created" />
        <Button type="submit">Create</Button>
      </Stack>
    </form>
  );
}
