import { Badge } from '@mantine/core';

const COLOURS: Record<string, string> = {
  CONNECTED: 'green',
  DISCONNECTED: 'red',
  PENDING: 'gray',
  HEALTHY: 'green',
  WARNING: 'orange',
  VIOLATED: 'red',
  TRUE: 'green',
  FALSE: 'red',
  UNKNOWN: 'gray',
  SUCCEEDED: 'green',
  FAILED: 'red',
  IDLE: 'gray',
  SIGNED: 'green',
  ERROR: 'red',
  EXPIRED: 'red',
  EXPIRING: 'orange',
  FIRED: 'red',
  RESOLVED: 'green',
  PAGE: 'red',
  TICKET: 'orange',
};

export function StatusBadge({ value }: { value: string | null | undefined }) {
  if (!value) return <Badge color="gray">no data</Badge>;
  return (
    <Badge color={COLOURS[value] ?? 'blue'} variant="light">
      {value}
    </Badge>
  );
}
