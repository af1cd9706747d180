import { Alert, Button, Code, Group, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { rest } from '../api/client';
import { useData } from '../api/use-data';
import { DataStates, ErrorNotice } from '../components/states';
import { dateTime } from '../lib/format';

interface Token {
  id: string;
  name: string;
  prefix: string;
  role: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

export function TokensPage() {
  const tokens = useData(() => rest<{ items: Token[] }>('GET', '/v1/tokens?limit=100'), 'tokens');
  const [name, setName] = useState('');
  const [role, setRole] = useState<string>('viewer');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const result = await rest<{ token: string }>(
        'POST',
        '/v1/tokens',
        { name: name.trim(), role },
        { 'Idempotency-Key': crypto.randomUUID() },
      );
      setCreated(result.data.token);
      setName('');
      tokens.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  const revoke = async (id: string) => {
    setError(undefined);
    try {
      await rest('DELETE', `/v1/tokens/${id}`);
      tokens.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  const list = tokens.data?.data.items ?? [];
  return (
    <Stack>
      <Title order={2}>API tokens</Title>
      <form onSubmit={create}>
        <Group align="flex-end">
          <TextInput
            label="Token name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
          />
          <Select
            label="Role"
            data={['viewer', 'editor', 'admin']}
            value={role}
            onChange={(v) => setRole(v ?? 'viewer')}
            allowDeselect={false}
          />
          <Button type="submit">Create token</Button>
        </Group>
      </form>
      {created && (
        <Alert color="yellow" title="The new token, shown once">
          <Code block data-testid="new-token">
            {created}
          </Code>
        </Alert>
      )}
      <ErrorNotice error={error} />
      <DataStates
        loading={tokens.loading}
        error={tokens.error}
        data={tokens.data}
        isEmpty={list.length === 0}
        empty="No token."
      />
      {list.length > 0 && (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Prefix</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>{t.name}</Table.Td>
                <Table.Td>
                  <Code>{t.prefix}</Code>
                </Table.Td>
                <Table.Td>{t.role}</Table.Td>
                <Table.Td>{dateTime(t.createdAt)}</Table.Td>
                <Table.Td>{dateTime(t.lastUsedAt)}</Table.Td>
                <Table.Td>{dateTime(t.expiresAt)}</Table.Td>
                <Table.Td>
                  {t.revokedAt ? (
                    `revoked ${dateTime(t.revokedAt)}`
                  ) : (
                    <Button
                      size="compact-xs"
                      color="red"
                      variant="light"
                      onClick={() => revoke(t.id)}
                      aria-label={`Revoke token ${t.name}`}
                    >
                      Revoke
                    </Button>
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
