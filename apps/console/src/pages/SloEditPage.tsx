import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useAuth } from '../api/auth';
import { gql } from '../api/client';
import { loadGnsSummaries } from '../api/lists';
import { CreateSloMutation, GlobalNamespaceQuery, SloQuery, UpdateSloMutation } from '../api/operations';
import { useData } from '../api/use-data';
import { DataStates, ErrorNotice } from '../components/states';
import type {
  LatencyPercentile,
  SloBudgeting,
  SloIndicatorInput,
  SloIndicatorKind,
  SloNoDataPolicy,
  SloType,
} from '../gql/graphql';
import { windowOf } from '../lib/time-range';

export function SloEditPage() {
  const { id } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { canEdit } = useAuth();
  const existing = useData(
    () => {
      if (!id) return Promise.resolve(null);
      const w = windowOf('15m');
      return gql(SloQuery, { id, from: w.from, to: w.to, step: w.step });
    },
    `slo-edit-${id ?? 'new'}`,
  );
  const gnss = useData(loadGnsSummaries, 'slo-edit-gnss');
  const [gnsId, setGnsId] = useState<string | null>(params.get('gns'));
  const gns = useData(
    () => (gnsId ? gql(GlobalNamespaceQuery, { id: gnsId }) : Promise.resolve(null)),
    `slo-edit-gns-${gnsId}`,
  );
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [services, setServices] = useState<string[]>([]);
  const [indicators, setIndicators] = useState<SloIndicatorInput[]>([
    { kind: 'ERROR_RATE', maxErrorRatePercent: 1 },
  ]);
  const [target, setTarget] = useState<number | string>(99.9);
  const [window, setWindow] = useState('30d');
  const [type, setType] = useState<SloType>('ACTIONABLE');
  const [budgeting, setBudgeting] = useState<SloBudgeting>('TIME_SLICES');
  const [noData, setNoData] = useState<SloNoDataPolicy>('GOOD');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const s = existing.data?.slo;
    if (!s) return;
    setGnsId(s.gnsId);
    setName(s.name);
    setDescription(s.description);
    setServices(s.services);
    setIndicators(
      s.indicators.map((i) => ({
        kind: i.kind,
        percentile: i.percentile,
        thresholdMs: i.thresholdMs,
        maxErrorRatePercent: i.maxErrorRatePercent,
      })),
    );
    setTarget(s.targetPercent);
    setWindow(s.window);
    setType(s.type);
    setBudgeting(s.budgeting);
    setNoData(s.noDataPolicy);
  }, [existing.data]);

  if (!canEdit) return <Alert color="gray">Your role cannot create or change SLOs.</Alert>;

  const setIndicator = (index: number, patch: Partial<SloIndicatorInput>) =>
    setIndicators((list) =>
      list.map((indicator, i) => (i === index ? { ...indicator, ...patch } : indicator)),
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!gnsId) return;
    setBusy(true);
    setError(undefined);
    const input = {
      gnsId,
      name: name.trim(),
      description,
      services,
      indicators: indicators.map((i) =>
        i.kind === 'LATENCY'
          ? { kind: i.kind, percentile: i.percentile ?? 'P99', thresholdMs: Number(i.thresholdMs) }
          : { kind: i.kind, maxErrorRatePercent: Number(i.maxErrorRatePercent) },
      ),
      targetPercent: Number(target),
      window,
      type,
      budgeting,
      noDataPolicy: noData,
    };
    try {
      if (id && existing.data) {
        await gql(UpdateSloMutation, { id, version: existing.data.slo.version, input });
        navigate(`/slos/${id}`);
      } else {
        const created = await gql(CreateSloMutation, { input });
        navigate(`/slos/${created.createSlo.id}`);
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack maw={760}>
      <Title order={2}>{id ? `Edit SLO ${name}` : 'Create an SLO'}</Title>
      <DataStates loading={existing.loading} error={existing.error ?? gnss.error} data={existing.data} />
      <form onSubmit={submit}>
        <Stack>
          <Select
            label="Global Namespace"
            data={(gnss.data ?? []).map((g) => ({ value: g.id, label: g.name }))}
            value={gnsId}
            onChange={(v) => {
              setGnsId(v);
              setServices([]);
            }}
            disabled={!!id}
            required
          />
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <Textarea
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          <MultiSelect
            label="Services"
            data={(gns.data?.globalNamespace.services ?? []).map((s) => s.name)}
            value={services}
            onChange={setServices}
            searchable
            required
          />
          <Title order={5}>Indicators</Title>
          {indicators.map((indicator, index) => (
            <Card withBorder padding="xs" key={index}>
              <Group align="flex-end">
                <Select
                  label={`Indicator ${index + 1}`}
                  data={[
                    { value: 'ERROR_RATE', label: 'Error rate' },
                    { value: 'LATENCY', label: 'Latency' },
                  ]}
                  value={indicator.kind}
                  onChange={(v) =>
                    setIndicator(
                      index,
                      v === 'LATENCY'
                        ? {
                            kind: 'LATENCY' as SloIndicatorKind,
                            percentile: 'P99',
                            thresholdMs: 300,
                            maxErrorRatePercent: null,
                          }
                        : {
                            kind: 'ERROR_RATE' as SloIndicatorKind,
                            maxErrorRatePercent: 1,
                            percentile: null,
                            thresholdMs: null,
                          },
                    )
                  }
                  allowDeselect={false}
                />
                {indicator.kind === 'LATENCY' ? (
                  <>
                    <Select
                      label="Percentile"
                      data={['P50', 'P90', 'P99']}
                      value={indicator.percentile ?? 'P99'}
                      onChange={(v) => setIndicator(index, { percentile: (v ?? 'P99') as LatencyPercentile })}
                      allowDeselect={false}
                      w={100}
                    />
                    <NumberInput
                      label="Threshold (ms)"
                      value={indicator.thresholdMs ?? ''}
                      onChange={(v) => setIndicator(index, { thresholdMs: Number(v) })}
                      min={0}
                    />
                  </>
                ) : (
                  <NumberInput
                    label="Max error rate (%)"
                    value={indicator.maxErrorRatePercent ?? ''}
                    onChange={(v) => setIndicator(index, { maxErrorRatePercent: Number(v) })}
                    min={0}
                    max={100}
                    decimalScale={3}
                  />
                )}
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={`Remove indicator ${index + 1}`}
                  disabled={indicators.length === 1}
                  onClick={() => setIndicators((list) => list.filter((_, i) => i !== index))}
                  mb={4}
                >
                  ×
                </ActionIcon>
              </Group>
            </Card>
          ))}
          <Button
            variant="light"
            onClick={() => setIndicators((list) => [...list, { kind: 'ERROR_RATE', maxErrorRatePercent: 1 }])}
          >
            Add indicator
          </Button>
          <Group grow>
            <NumberInput
              label="Target (%)"
              value={target}
              onChange={setTarget}
              min={0}
              max={100}
              decimalScale={4}
              required
            />
            <TextInput
              label="Window"
              description='"<days>d" or CALENDAR_MONTH'
              value={window}
              onChange={(e) => setWindow(e.currentTarget.value)}
              required
            />
          </Group>
          <Group grow>
            <Select
              label="Type"
              data={['ACTIONABLE', 'MONITORED']}
              value={type}
              onChange={(v) => setType((v ?? 'ACTIONABLE') as SloType)}
              allowDeselect={false}
            />
            <Select
              label="Budgeting"
              data={['TIME_SLICES', 'OCCURRENCES']}
              value={budgeting}
              onChange={(v) => setBudgeting((v ?? 'TIME_SLICES') as SloBudgeting)}
              allowDeselect={false}
            />
            <Select
              label="No data counts as"
              data={['GOOD', 'BAD', 'IGNORE']}
              value={noData}
              onChange={(v) => setNoData((v ?? 'GOOD') as SloNoDataPolicy)}
              allowDeselect={false}
            />
          </Group>
          <ErrorNotice error={error} title="Not saved" />
          <Group>
            <Button type="submit" loading={busy} disabled={!gnsId}>
              {id ? 'Save' : 'Create'}
            </Button>
            <Button variant="default" onClick={() => navigate(id ? `/slos/${id}` : '/slos')}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
