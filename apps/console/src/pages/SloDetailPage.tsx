import { Button, Card, Group, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useAuth } from '../api/auth';
import { gql } from '../api/client';
import { SloQuery } from '../api/operations';
import { useData } from '../api/use-data';
import { DeleteButton } from '../components/DeleteButton';
import { StatusBadge } from '../components/StatusBadge';
import { DataStates, Empty } from '../components/states';
import { BURN_WINDOW_LABEL, burn, dateTime, millis, percent } from '../lib/format';
import { TIME_RANGES, windowOf, type TimeRangeValue } from '../lib/time-range';

export function SloDetailPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { canEdit } = useAuth();
  const [range, setRange] = useState<TimeRangeValue>('6h');
  const slo = useData(
    () => {
      const w = windowOf(range);
      return gql(SloQuery, { id, from: w.from, to: w.to, step: w.step });
    },
    `slo-${id}-${range}`,
    30_000,
  );
  const s = slo.data?.slo;
  const history = (s?.history ?? []).map((p) => ({
    timestamp: p.timestamp,
    sli: p.sli === null || p.sli === undefined ? null : p.sli * 100,
    budget:
      p.budgetRemainingFraction === null || p.budgetRemainingFraction === undefined
        ? null
        : p.budgetRemainingFraction * 100,
  }));
  return (
    <Stack>
      <DataStates loading={slo.loading} error={slo.error} data={slo.data} />
      {s && (
        <>
          <Group justify="space-between">
            <div>
              <Title order={2}>{s.name}</Title>
              <Text c="dimmed">
                {s.description} · {s.services.join(', ')} · target {s.targetPercent} % over {s.window} ·{' '}
                {s.type} · budgeting {s.budgeting} · no data counts as {s.noDataPolicy}
              </Text>
            </div>
            {canEdit && (
              <Group>
                <Button component={Link} to={`/slos/${id}/edit`}>
                  Edit
                </Button>
                <DeleteButton
                  path={`/v1/slos/${id}`}
                  what={`SLO "${s.name}"`}
                  consequence="Its history, alert events and pending webhook deliveries go with it."
                  onDeleted={() => navigate('/slos')}
                />
              </Group>
            )}
          </Group>
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            <Card withBorder>
              <Text size="xs" c="dimmed">
                Health
              </Text>
              <span data-testid="slo-health">
                <StatusBadge value={s.status?.health} />
              </span>
            </Card>
            <Card withBorder>
              <Text size="xs" c="dimmed">
                Compliance
              </Text>
              <Text fw={700}>{percent(s.status?.compliance, 3)}</Text>
            </Card>
            <Card withBorder>
              <Text size="xs" c="dimmed">
                Error budget left
              </Text>
              <Text fw={700}>{percent(s.status?.budget.remainingFraction, 1)}</Text>
            </Card>
            <Card withBorder>
              <Text size="xs" c="dimmed">
                Evaluated
              </Text>
              <Text size="sm">{dateTime(s.status?.evaluatedAt)}</Text>
            </Card>
          </SimpleGrid>
          <Card withBorder>
            <Group justify="space-between">
              <Title order={4}>Compliance and budget history</Title>
              <Select
                aria-label="History range"
                data={TIME_RANGES.map((r) => ({ value: r.value, label: r.label }))}
                value={range}
                onChange={(v) => v && setRange(v as TimeRangeValue)}
                allowDeselect={false}
                w={180}
              />
            </Group>
            {history.length === 0 ? (
              <Empty>No history in this range yet.</Empty>
            ) : (
              <div style={{ width: '100%', height: 240 }} data-testid="slo-history">
                <ResponsiveContainer width="100%" height="100%" minWidth={200} minHeight={150}>
                  <LineChart data={history}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis
                      dataKey="timestamp"
                      tickFormatter={(v: string) =>
                        new Date(v).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
                      }
                      fontSize={11}
                    />
                    <YAxis unit=" %" domain={[0, 100]} fontSize={11} />
                    <Tooltip labelFormatter={(v) => new Date(String(v)).toLocaleString()} />
                    <Legend />
                    <Line
                      dataKey="sli"
                      name="SLI (good %)"
                      stroke="#364fc7"
                      dot={{ r: 2 }}
                      isAnimationActive={false}
                    />
                    <Line
                      dataKey="budget"
                      name="budget left %"
                      stroke="#f08c00"
                      dot={{ r: 2 }}
                      isAnimationActive={false}
                    />
                  </LineChart>
                </ResponsiveContainer>
              </div>
            )}
          </Card>
          <Group align="flex-start" grow>
            <Card withBorder>
              <Title order={4}>Indicators</Title>
              {s.indicators.map((indicator, i) => {
                const now = s.status?.indicators[i];
                return (
                  <Text size="sm" key={i}>
                    {indicator.kind === 'LATENCY'
                      ? `${indicator.percentile} latency ≤ ${millis(indicator.thresholdMs)}`
                      : `error rate ≤ ${indicator.maxErrorRatePercent} %`}
                    {now && (
                      <>
                        {' '}
                        — last minute{' '}
                        {now.kind === 'LATENCY'
                          ? millis(now.value)
                          : percent(
                              now.value === null || now.value === undefined ? null : now.value / 100,
                            )}{' '}
                        <StatusBadge value={now.holds ? 'HEALTHY' : 'VIOLATED'} />
                      </>
                    )}
                  </Text>
                );
              })}
            </Card>
            <Card withBorder>
              <Title order={4}>Burn rates</Title>
              {(s.status?.burnRates ?? []).map((b) => (
                <Text size="sm" key={b.window}>
                  {BURN_WINDOW_LABEL[b.window] ?? b.window}: {burn(b.rate)}
                </Text>
              ))}
            </Card>
          </Group>
          <Card withBorder data-testid="slo-events">
            <Title order={4}>Alert events</Title>
            {s.events.nodes.length === 0 ? (
              <Empty>No alert has fired.</Empty>
            ) : (
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Event</Table.Th>
                    <Table.Th>Rule</Table.Th>
                    <Table.Th>Severity</Table.Th>
                    <Table.Th>Burn long / short (threshold)</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {s.events.nodes.map((e) => (
                    <Table.Tr key={e.id}>
                      <Table.Td>{dateTime(e.at)}</Table.Td>
                      <Table.Td>
                        <StatusBadge value={e.type} />
                      </Table.Td>
                      <Table.Td>{e.rule}</Table.Td>
                      <Table.Td>{e.severity}</Table.Td>
                      <Table.Td>
                        {burn(e.longWindowBurnRate)} / {burn(e.shortWindowBurnRate)} ({burn(e.threshold)})
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Card>
        </>
      )}
    </Stack>
  );
}
