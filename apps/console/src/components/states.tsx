import { Alert, Center, Code, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

/** An error as the server gave it: message, code, field errors and the request id to quote. */
export function ErrorNotice({ error, title = 'Request failed' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Alert color="red" title={title} role="alert" data-testid="error">
      <Stack gap={4}>
        <Text size="sm">{message}</Text>
        {api && api.fields.length > 0 && (
          <ul style={{ margin: 0 }}>
            {api.fields.map((field) => (
              <li key={field.field + field.message}>
                <Code>{field.field}</Code> {field.message}
              </li>
            ))}
          </ul>
        )}
        {api && (
          <Text size="xs" c="dimmed">
            {api.code ? `${api.code} · ` : ''}HTTP {api.status}
            {api.requestId ? ` · request id ${api.requestId}` : ''}
          </Text>
        )}
      </Stack>
    </Alert>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center p="lg" role="status" aria-live="polite">
      <Loader size="sm" mr="sm" />
      <Text size="sm">{label}</Text>
    </Center>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Text c="dimmed" p="md" ta="center" data-testid="empty">
      {children}
    </Text>
  );
}

/** Loading, error or empty state of a data hook, or nothing when there is something to show. */
export function DataStates({
  loading,
  error,
  data,
  empty,
  isEmpty,
}: {
  loading: boolean;
  error: unknown;
  data: unknown;
  empty?: ReactNode;
  isEmpty?: boolean;
}) {
  if (error) return <ErrorNotice error={error} />;
  if (data === undefined && loading) return <Loading />;
  if (isEmpty && empty) return <Empty>{empty}</Empty>;
  return null;
}
