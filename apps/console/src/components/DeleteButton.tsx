import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { rest } from '../api/client';
import { ErrorNotice } from './states';

/**
 * A delete action behind a confirmation dialog: DELETE `path`, then `onDeleted`. The server's
 * refusal (a 409 because something still uses it, a 403 for a viewer) stays in the dialog with
 * its message and request id.
 */
export function DeleteButton({
  path,
  what,
  consequence,
  onDeleted,
  size = 'sm',
}: {
  path: string;
  /** What is deleted, as the dialog names it: `Global Namespace "shop"`. */
  what: string;
  /** What else goes with it, in a sentence. */
  consequence?: string;
  onDeleted: () => void;
  size?: 'sm' | 'compact-sm';
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const close = () => {
    setOpen(false);
    setError(undefined);
  };
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await rest('DELETE', path);
      setOpen(false);
      onDeleted();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button color="red" variant="light" size={size} onClick={() => setOpen(true)}>
        Delete
      </Button>
      <Modal opened={open} onClose={close} title={`Delete ${what}?`}>
        <Stack>
          <Text size="sm">{consequence ? `${consequence} ` : ''}This cannot be undone.</Text>
          <ErrorNotice error={error} title="Not deleted" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button color="red" loading={busy} onClick={confirm} data-testid="confirm-delete">
              Delete {what}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
