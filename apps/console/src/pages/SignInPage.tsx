import { Button, Card, Center, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useAuth } from '../api/auth';
import { ErrorNotice } from '../components/states';

export function SignInPage() {
  const { signIn } = useAuth();
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(token.trim());
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center h="100vh">
      <Card withBorder shadow="sm" w={460} padding="xl">
        <form onSubmit={submit}>
          <Stack>
            <Title order={2}>Sign in to Lattice</Title>
            <Text size="sm" c="dimmed">
              Paste an API token (lat_…). It is kept in this browser tab only (sessionStorage) and sent as a
              bearer token with every request; closing the tab or signing out forgets it.
            </Text>
            <PasswordInput
              label="API token"
              value={token}
              onChange={(e) => setToken(e.currentTarget.value)}
              autoComplete="off"
              required
              data-autofocus
            />
            <ErrorNotice error={error} title="Sign-in failed" />
            <Button type="submit" loading={busy} disabled={token.trim() === ''}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Card>
    </Center>
  );
}
