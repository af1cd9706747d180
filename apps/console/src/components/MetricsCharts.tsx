import { Card, SimpleGrid, Text } from '@mantine/core';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface MetricsPoint {
  timestamp: string;
  requestRate: number;
  errorRate?: number | null;
  p50?: number | null;
  p90?: number | null;
  p99?: number | null;
}

const time = (value: string) =>
  new Date(value).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

function Chart({
  title,
  data,
  lines,
  unit,
}: {
  title: string;
  data: object[];
  lines: { key: string; colour: string; name: string }[];
  unit: string;
}) {
  return (
    <Card withBorder padding="xs" aria-label={title}>
      <Text size="sm" fw={600}>
        {title}
      </Text>
      <div style={{ width: '100%', height: 180 }}>
        <ResponsiveContainer width="100%" height="100%" minWidth={200} minHeight={150}>
          <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="timestamp" tickFormatter={time} minTickGap={30} fontSize={11} />
            <YAxis unit={unit} fontSize={11} width={60} />
            <Tooltip labelFormatter={(v) => new Date(String(v)).toLocaleString()} />
            <Legend />
            {lines.map((line) => (
              <Line
                key={line.key}
                type="monotone"
                dataKey={line.key}
                name={line.name}
                stroke={line.colour}
                dot={{ r: 2 }}
                isAnimationActive={false}
                connectNulls={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </Card>
  );
}

/** Requests, errors and p50/p90/p99 latency of a service over the chosen range. */
export function MetricsCharts({ points }: { points: MetricsPoint[] }) {
  const data = points.map((p) => ({
    ...p,
    errorPercent: p.errorRate === null || p.errorRate === undefined ? null : p.errorRate * 100,
  }));
  return (
    <SimpleGrid cols={{ base: 1, lg: 3 }} data-testid="service-charts">
      <Chart
        title="Requests"
        unit=" rps"
        data={data}
        lines={[{ key: 'requestRate', colour: '#364fc7', name: 'requests/s' }]}
      />
      <Chart
        title="Errors"
        unit=" %"
        data={data}
        lines={[{ key: 'errorPercent', colour: '#e03131', name: 'error %' }]}
      />
      <Chart
        title="Latency"
        unit=" ms"
        data={data}
        lines={[
          { key: 'p50', colour: '#2f9e44', name: 'p50' },
          { key: 'p90', colour: '#f08c00', name: 'p90' },
          { key: 'p99', colour: '#e03131', name: 'p99' },
        ]}
      />
    </SimpleGrid>
  );
}
