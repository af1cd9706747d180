import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Code,
  Group,
  List,
  Select,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import type { MatchCondition, SelectorType } from '@lattice/domain/gns/match-conditions';
import { useAuth } from '../api/auth';
import { rest } from '../api/client';
import { loadClusters, loadGlobalNamespaces } from '../api/lists';
import { useData } from '../api/use-data';
import { DataStates, ErrorNotice } from '../components/states';
import { previewGns } from '../lib/gns-preview';

interface GnsView {
  id: string;
  name: string;
  domain: string;
  description: string;
  mtlsMode: 'STRICT' | 'PERMISSIVE';
  matchConditions: MatchCondition[];
  createdAt: string;
}

const TYPES = ['EXACT', 'PREFIX', 'REGEX'].map((value) => ({ value, label: value }));
const emptyCondition = (): MatchCondition => ({
  cluster: { type: 'EXACT', value: '' },
  namespace: { type: 'EXACT', value: '' },
});

export function GnsEditPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const { canEdit } = useAuth();
  const existing = useData(
    () => (id ? rest<GnsView>('GET', `/v1/global-namespaces/${id}`) : Promise.resolve(null)),
    `gns-edit-${id ?? 'new'}`,
  );
  const clusters = useData(loadClusters, 'gns-edit-clusters');
  const gnss = useData(loadGlobalNamespaces, 'gns-edit-gnss');
  const [name, setName] = useState('');
  const [domain, setDomain] = useState('');
  const [description, setDescription] = useState('');
  const [mtlsMode, setMtlsMode] = useState<'STRICT' | 'PERMISSIVE'>('STRICT');
  const [conditions, setConditions] = useState<MatchCondition[]>([emptyCondition()]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const view = existing.data?.data;
    if (!view) return;
    setName(view.name);
    setDomain(view.domain);
    setDescription(view.description);
    setMtlsMode(view.mtlsMode);
    setConditions(view.matchConditions.length > 0 ? view.matchConditions : [emptyCondition()]);
  }, [existing.data]);

  const preview = useMemo(
    () =>
      previewGns(
        conditions,
        clusters.data ?? [],
        (gnss.data ?? []).map((g) => ({
          id: g.id,
          name: g.name,
          createdAt: g.createdAt,
          members: g.status.memberNamespaces,
        })),
        { id, createdAt: existing.data?.data.createdAt },
      ),
    [conditions, clusters.data, gnss.data, id, existing.data],
  );

  if (!canEdit) return <Alert color="gray">Your role cannot create or change Global Namespaces.</Alert>;

  const update = (index: number, side: 'cluster' | 'namespace', field: 'type' | 'value', value: string) =>
    setConditions((list) =>
      list.map((c, i) =>
        i === index
          ? { ...c, [side]: { ...c[side], [field]: field === 'type' ? (value as SelectorType) : value } }
          : c,
      ),
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = {
      name: name.trim(),
      domain: domain.trim(),
      description,
      mtlsMode,
      matchConditions: conditions,
    };
    try {
      if (id) {
        await rest('PUT', `/v1/global-namespaces/${id}`, body, { 'If-Match': existing.data?.etag ?? '*' });
        navigate(`/gns/${id}`);
      } else {
        const created = await rest<{ id: string }>('POST', '/v1/global-namespaces', body, {
          'Idempotency-Key': crypto.randomUUID(),
        });
        navigate(`/gns/${created.data.id}`);
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack>
      <Title order={2}>{id ? `Edit ${name}` : 'Create a Global Namespace'}</Title>
      <DataStates loading={existing.loading} error={existing.error} data={existing.data} />
      <Group align="flex-start" grow>
        <form onSubmit={submit}>
          <Stack>
            <TextInput
              label="Name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
              disabled={!!id}
            />
            <TextInput
              label="Domain"
              description="Services are reachable as <service>.<domain>"
              placeholder="shop.lattice.local"
              value={domain}
              onChange={(e) => setDomain(e.currentTarget.value)}
              required
            />
            <Textarea
              label="Description"
              value={description}
              onChange={(e) => setDescription(e.currentTarget.value)}
            />
            <Select
              label="mTLS mode"
              data={['STRICT', 'PERMISSIVE']}
              value={mtlsMode}
              onChange={(value) => setMtlsMode((value as 'STRICT' | 'PERMISSIVE') ?? 'STRICT')}
              allowDeselect={false}
            />
            <Title order={5}>Match conditions</Title>
            <Text size="xs" c="dimmed">
              Every service in a (cluster, namespace) both selectors of a condition match is a member. REGEX
              must match the whole name.
            </Text>
            {conditions.map((condition, index) => (
              <Card withBorder key={index} padding="xs" aria-label={`Match condition ${index + 1}`}>
                <Group align="flex-end" wrap="nowrap">
                  <Select
                    label={`Cluster selector ${index + 1}`}
                    data={TYPES}
                    value={condition.cluster.type}
                    onChange={(v) => update(index, 'cluster', 'type', v ?? 'EXACT')}
                    allowDeselect={false}
                    w={110}
                  />
                  <TextInput
                    label={`Cluster ${index + 1}`}
                    value={condition.cluster.value}
                    onChange={(e) => update(index, 'cluster', 'value', e.currentTarget.value)}
                  />
                  <Select
                    label={`Namespace selector ${index + 1}`}
                    data={TYPES}
                    value={condition.namespace.type}
                    onChange={(v) => update(index, 'namespace', 'type', v ?? 'EXACT')}
                    allowDeselect={false}
                    w={110}
                  />
                  <TextInput
                    label={`Namespace ${index + 1}`}
                    value={condition.namespace.value}
                    onChange={(e) => update(index, 'namespace', 'value', e.currentTarget.value)}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={`Remove match condition ${index + 1}`}
                    disabled={conditions.length === 1}
                    onClick={() => setConditions((list) => list.filter((_, i) => i !== index))}
                    mb={4}
                  >
                    ×
                  </ActionIcon>
                </Group>
              </Card>
            ))}
            <Button variant="light" onClick={() => setConditions((list) => [...list, emptyCondition()])}>
              Add match condition
            </Button>
            <ErrorNotice error={error} title="Not saved" />
            <Group>
              <Button type="submit" loading={busy} disabled={preview.errors.length > 0}>
                {id ? 'Save' : 'Create'}
              </Button>
              <Button variant="default" onClick={() => navigate(id ? `/gns/${id}` : '/gns')}>
                Cancel
              </Button>
            </Group>
          </Stack>
        </form>
        <Card withBorder aria-live="polite" data-testid="gns-preview">
          <Title order={4}>Preview</Title>
          {preview.errors.length > 0 ? (
            <List size="sm" c="red">
              {preview.errors.map((e) => (
                <List.Item key={e.field + e.message}>
                  <Code>{e.field}</Code> {e.message}
                </List.Item>
              ))}
            </List>
          ) : (
            <Stack gap="xs">
              <Text size="sm">
                Matching clusters: <b>{preview.clusters.join(', ') || 'none'}</b>
              </Text>
              <Text size="sm">Known namespaces these conditions claim:</Text>
              {preview.members.length === 0 ? (
                <Text size="sm" c="dimmed">
                  none known yet (namespaces no Global Namespace holds show after saving)
                </Text>
              ) : (
                <List size="sm">
                  {preview.members.map((m) => (
                    <List.Item key={m.clusterId + m.namespace}>
                      {m.clusterName}/{m.namespace}
                    </List.Item>
                  ))}
                </List>
              )}
              {preview.conflicts.length > 0 && (
                <Alert color="orange" title="Conflicts">
                  {preview.conflicts.map((c) => (
                    <Text size="sm" key={c.member.clusterId + c.member.namespace}>
                      {c.member.clusterName}/{c.member.namespace} stays with the older Global Namespace{' '}
                      {c.keptBy}
                    </Text>
                  ))}
                </Alert>
              )}
            </Stack>
          )}
        </Card>
      </Group>
    </Stack>
  );
}
