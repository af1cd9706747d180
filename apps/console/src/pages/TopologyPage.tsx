import {
  Anchor,
  Button,
  Card,
  Group,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { gql } from '../api/client';
import { loadSlos } from '../api/lists';
import { GlobalNamespaceQuery, ServiceMetricsQuery, TopologyQuery } from '../api/operations';
import { useData } from '../api/use-data';
import { MetricsCharts } from '../components/MetricsCharts';
import { StatusBadge } from '../components/StatusBadge';
import { TopologyGraph } from '../components/TopologyGraph';
import { DataStates, Empty } from '../components/states';
import { millis, percent, rate } from '../lib/format';
import { TIME_RANGES, windowOf, type TimeRangeValue } from '../lib/time-range';
import {
  HEALTH_COLOURS,
  HEALTH_THRESHOLDS,
  healthOf,
  topologyElements,
  visibleTopology,
} from '../lib/topology';

const REFRESH_MS = 30_000;
const TABLE_ROWS = 50;

export function TopologyPage() {
  const { id = '' } = useParams();
  const [range, setRange] = useState<TimeRangeValue>('1h');
  const [auto, setAuto] = useState(true);
  const [selected, setSelected] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const gns = useData(() => gql(GlobalNamespaceQuery, { id }), `topo-gns-${id}`);
  const topology = useData(
    () => {
      const w = windowOf(range);
      return gql(TopologyQuery, { gnsId: id, from: w.from, to: w.to });
    },
    `topology-${id}-${range}`,
    auto ? REFRESH_MS : undefined,
  );
  const answer = topology.data?.topology;
  const nodes = useMemo(() => answer?.nodes ?? [], [answer]);
  const edges = useMemo(() => answer?.edges ?? [], [answer]);
  const visible = useMemo(() => visibleTopology(nodes, edges, filter), [nodes, edges, filter]);
  const elements = useMemo(() => topologyElements(visible.nodes, visible.edges), [visible]);
  const byId = useMemo(() => new Map(nodes.map((n) => [n.id, n])), [nodes]);
  const selectedNode = selected ? byId.get(selected) : undefined;
  const needle = filter.trim().toLowerCase();
  const rows = nodes
    .filter((n) => needle === '' || n.service.includes(needle) || n.clusterName.includes(needle))
    .sort((a, b) => b.requestRate - a.requestRate)
    .slice(0, TABLE_ROWS);
  const edgeRows = edges
    .filter(
      (e) =>
        needle === '' ||
        `${byId.get(e.sourceId)?.service} ${byId.get(e.destinationId)?.service}`.includes(needle),
    )
    .sort((a, b) => b.requestRate - a.requestRate)
    .slice(0, TABLE_ROWS);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>
          Topology of{' '}
          <Anchor component={Link} to={`/gns/${id}`} inherit>
            {gns.data?.globalNamespace.name ?? '…'}
          </Anchor>
        </Title>
        <Group>
          <Select
            label="Time range"
            data={TIME_RANGES.map((r) => ({ value: r.value, label: r.label }))}
            value={range}
            onChange={(v) => v && setRange(v as TimeRangeValue)}
            allowDeselect={false}
            w={180}
          />
          <Switch
            label="Auto-refresh (30 s)"
            checked={auto}
            onChange={(e) => setAuto(e.currentTarget.checked)}
            mt={24}
          />
          <Button variant="default" onClick={topology.reload} mt={24}>
            Refresh
          </Button>
        </Group>
      </Group>
      <Group gap="md" aria-label="Legend">
        {(['healthy', 'degraded', 'failing', 'idle'] as const).map((h) => (
          <Group gap={4} key={h}>
            <span
              style={{
                width: 12,
                height: 12,
                borderRadius: 6,
                background: HEALTH_COLOURS[h],
                display: 'inline-block',
              }}
            />
            <Text size="xs">{h}</Text>
          </Group>
        ))}
        <Text size="xs" c="dimmed">
          degraded: errors ≥ {HEALTH_THRESHOLDS.degradedErrorRate * 100} % or p99 ≥{' '}
          {HEALTH_THRESHOLDS.degradedP99Ms} ms; failing: errors ≥ {HEALTH_THRESHOLDS.failingErrorRate * 100} %
        </Text>
      </Group>
      <DataStates
        loading={topology.loading}
        error={topology.error}
        data={topology.data}
        isEmpty={nodes.length === 0}
        empty="No traffic in this range yet: telemetry arrives minute by minute."
      />
      {visible.hidden > 0 && (
        <Text size="sm" c="dimmed" data-testid="topology-limited">
          The graph shows {visible.nodes.length} of {nodes.length} services: those the filter matches and the
          busiest calls. The tables list the rest.
        </Text>
      )}
      <TopologyGraph elements={elements} onSelect={setSelected} />
      {selectedNode && (
        <ServicePanel
          gnsId={id}
          service={selectedNode.service}
          range={range}
          onClose={() => setSelected(null)}
        />
      )}
      <TextInput
        label="Filter services and calls"
        value={filter}
        onChange={(e) => setFilter(e.currentTarget.value)}
        w={300}
      />
      <Group align="flex-start" grow>
        <Card withBorder>
          <Title order={5}>Services</Title>
          <Table data-testid="topology-services">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Service</Table.Th>
                <Table.Th>Cluster</Table.Th>
                <Table.Th>Rate</Table.Th>
                <Table.Th>Errors</Table.Th>
                <Table.Th>p99</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((n) => (
                <Table.Tr key={n.id}>
                  <Table.Td>
                    <Button
                      variant="subtle"
                      size="compact-sm"
                      onClick={() => setSelected(n.id)}
                      color={HEALTH_COLOURS[healthOf(n)]}
                    >
                      {n.service}
                    </Button>
                  </Table.Td>
                  <Table.Td>{n.clusterName}</Table.Td>
                  <Table.Td>{rate(n.requestRate)}</Table.Td>
                  <Table.Td>{percent(n.errorRate)}</Table.Td>
                  <Table.Td>{millis(n.p99)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {nodes.length > TABLE_ROWS && (
            <Text size="xs" c="dimmed">
              The {TABLE_ROWS} busiest of {nodes.length}; filter to find others.
            </Text>
          )}
        </Card>
        <Card withBorder>
          <Title order={5}>Calls</Title>
          <Table data-testid="topology-edges">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>From → to</Table.Th>
                <Table.Th>Rate</Table.Th>
                <Table.Th>Errors</Table.Th>
                <Table.Th>p99</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {edgeRows.map((e, i) => {
                const from = byId.get(e.sourceId);
                const to = byId.get(e.destinationId);
                return (
                  <Table.Tr key={i}>
                    <Table.Td>
                      {from?.service}@{from?.clusterName} → {to?.service}@{to?.clusterName}
                    </Table.Td>
                    <Table.Td>{rate(e.requestRate)}</Table.Td>
                    <Table.Td>{percent(e.errorRate)}</Table.Td>
                    <Table.Td>{millis(e.p99)}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Card>
      </Group>
    </Stack>
  );
}

function ServicePanel({
  gnsId,
  service,
  range,
  onClose,
}: {
  gnsId: string;
  service: string;
  range: TimeRangeValue;
  onClose: () => void;
}) {
  const metrics = useData(
    () => {
      const w = windowOf(range);
      return gql(ServiceMetricsQuery, { gnsId, service, from: w.from, to: w.to, step: w.step });
    },
    `metrics-${gnsId}-${service}-${range}`,
    REFRESH_MS,
  );
  const slos = useData(() => loadSlos(gnsId), `service-slos-${gnsId}`);
  const serviceSlos = (slos.data ?? []).filter((slo) => slo.services.includes(service));
  return (
    <Card withBorder data-testid="service-panel" aria-label={`Service ${service}`}>
      <Group justify="space-between">
        <Title order={4}>{service}</Title>
        <Button variant="default" size="xs" onClick={onClose}>
          Close
        </Button>
      </Group>
      <DataStates loading={metrics.loading} error={metrics.error} data={metrics.data} />
      {metrics.data && <MetricsCharts points={metrics.data.serviceMetrics} />}
      <Title order={5} mt="sm">
        SLOs
      </Title>
      {slos.data && serviceSlos.length === 0 && <Empty>No SLO watches {service}.</Empty>}
      {serviceSlos.map((slo) => (
        <Group key={slo.id} gap="sm">
          <Anchor component={Link} to={`/slos/${slo.id}`}>
            {slo.name}
          </Anchor>
          <StatusBadge value={slo.status?.health} />
          <Text size="sm">budget left {percent(slo.status?.budget.remainingFraction, 1)}</Text>
        </Group>
      ))}
    </Card>
  );
}
