import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Select,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useAuth } from '../api/auth';
import { gql } from '../api/client';
import {
  PolicyDryRunQuery,
  SetSecurityPolicyMutation,
  SetTrafficPolicyMutation,
  TrafficPoliciesQuery,
} from '../api/operations';
import { useData } from '../api/use-data';
import { DataStates, ErrorNotice, Loading } from '../components/states';
import type { PolicyDryRunQueryVariables } from '../gql/graphql';
import { objectDiffs } from '../lib/diff';

const SECURITY = '__security__';

interface ClusterDiff {
  clusterId: string;
  clusterName: string;
  error?: string | null;
  diffs: ReturnType<typeof objectDiffs>;
}

export function PoliciesPage() {
  const { id = '' } = useParams();
  const { canEdit } = useAuth();
  const policies = useData(() => gql(TrafficPoliciesQuery, { gnsId: id }), `policies-${id}`);
  const [target, setTarget] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [previewed, setPreviewed] = useState<{
    text: string;
    clusters: ClusterDiff[];
    warnings: { field: string; message: string }[];
  } | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);

  const data = policies.data;
  const services = data?.globalNamespace.services ?? [];
  const current = useMemo(() => {
    if (!data || !target) return null;
    if (target === SECURITY)
      return data.securityPolicy
        ? {
            spec: data.securityPolicy.spec,
            version: data.securityPolicy.version,
            warnings: data.securityPolicy.warnings,
          }
        : null;
    const policy = data.trafficPolicies.find((p) => p.service === target);
    return policy ? { spec: policy.spec, version: policy.version, warnings: policy.warnings } : null;
  }, [data, target]);

  useEffect(() => {
    setText(JSON.stringify(current?.spec ?? {}, null, 2));
    setPreviewed(null);
    setError(undefined);
  }, [current, target]);

  const parse = (): Record<string, unknown> | null => {
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new Error('the spec must be a JSON object');
      return value as Record<string, unknown>;
    } catch (failure) {
      setError(new Error(`The spec is not valid JSON: ${(failure as Error).message}`));
      return null;
    }
  };

  const preview = async () => {
    const spec = parse();
    if (!spec || !target) return;
    setBusy(true);
    setError(undefined);
    setSaved(null);
    try {
      const proposal: PolicyDryRunQueryVariables =
        target === SECURITY
          ? { gnsId: id, securityPolicy: spec }
          : { gnsId: id, trafficPolicies: [{ service: target, spec }] };
      const [now, next] = await Promise.all([
        gql(PolicyDryRunQuery, { gnsId: id }),
        gql(PolicyDryRunQuery, proposal),
      ]);
      const before = new Map(now.policyDryRun.clusters.map((c) => [c.clusterId, c.objects]));
      setPreviewed({
        text,
        warnings: next.policyDryRun.warnings,
        clusters: next.policyDryRun.clusters.map((c) => ({
          clusterId: c.clusterId,
          clusterName: c.clusterName,
          error: c.error,
          diffs: objectDiffs(before.get(c.clusterId) ?? [], c.objects),
        })),
      });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const save = async () => {
    const spec = parse();
    if (!spec || !target) return;
    setBusy(true);
    setError(undefined);
    try {
      if (target === SECURITY)
        await gql(SetSecurityPolicyMutation, { gnsId: id, spec, version: current?.version ?? null });
      else
        await gql(SetTrafficPolicyMutation, {
          gnsId: id,
          service: target,
          spec,
          version: current?.version ?? null,
        });
      setSaved(target === SECURITY ? 'security policy' : `traffic policy of ${target}`);
      setPreviewed(null);
      policies.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const options = [
    ...services.map((s) => ({
      value: s.name,
      label: `${s.name}${data?.trafficPolicies.some((p) => p.service === s.name) ? ' (has a traffic policy)' : ''}`,
    })),
    { value: SECURITY, label: `Security policy of the GNS${data?.securityPolicy ? ' (set)' : ''}` },
  ];

  return (
    <Stack>
      <Title order={2}>
        Policies of{' '}
        <Anchor component={Link} to={`/gns/${id}`} inherit>
          {data?.globalNamespace.name ?? '…'}
        </Anchor>
      </Title>
      <DataStates loading={policies.loading} error={policies.error} data={policies.data} />
      <Select
        label="Policy"
        placeholder="Choose a service or the security policy"
        data={options}
        value={target}
        onChange={setTarget}
        searchable
        w={420}
      />
      {target && (
        <Card withBorder>
          <Stack>
            <Text size="sm" c="dimmed">
              {target === SECURITY
                ? 'SecurityPolicySpec: mTLS mode and which services may call which (docs/policies.md).'
                : 'TrafficPolicySpec: subsets, weighted routes, header matches, timeouts, retries, outlier detection, fault injection (docs/policies.md).'}{' '}
              {current ? `Version ${current.version}.` : 'No policy yet.'}
            </Text>
            {current?.warnings.map((w) => (
              <Alert color="orange" key={w.field + w.message}>
                <Code>{w.field}</Code> {w.message}
              </Alert>
            ))}
            <Textarea
              label="Spec (JSON)"
              value={text}
              onChange={(e) => {
                setText(e.currentTarget.value);
                setSaved(null);
              }}
              autosize
              minRows={8}
              maxRows={14}
              readOnly={!canEdit}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            />
            {canEdit ? (
              <Group>
                <Button onClick={preview} loading={busy} variant="light">
                  Preview changes (dry run)
                </Button>
                <Button onClick={save} loading={busy} disabled={!previewed || previewed.text !== text}>
                  Save
                </Button>
                {!previewed && (
                  <Text size="xs" c="dimmed">
                    Saving needs a dry run of the current text first.
                  </Text>
                )}
              </Group>
            ) : (
              <Text size="sm" c="dimmed">
                Viewers can read policies; changing them needs the editor role.
              </Text>
            )}
            <ErrorNotice error={error} />
            {saved && (
              <Alert color="green" data-testid="policy-saved">
                Saved the {saved}; the agents receive it with the next snapshot.
              </Alert>
            )}
            {busy && !previewed && <Loading label="Rendering…" />}
            {previewed && <DryRunDiff clusters={previewed.clusters} warnings={previewed.warnings} />}
          </Stack>
        </Card>
      )}
    </Stack>
  );
}

function DryRunDiff({
  clusters,
  warnings,
}: {
  clusters: ClusterDiff[];
  warnings: { field: string; message: string }[];
}) {
  return (
    <Stack data-testid="dry-run">
      <Title order={4}>What each member cluster would receive</Title>
      {warnings.map((w) => (
        <Alert color="orange" key={w.field + w.message}>
          <Code>{w.field}</Code> {w.message}
        </Alert>
      ))}
      {clusters.map((cluster) => (
        <Card withBorder key={cluster.clusterId} data-testid={`dry-run-${cluster.clusterName}`}>
          <Title order={5}>{cluster.clusterName}</Title>
          {cluster.error && (
            <Alert color="red">
              This cluster could not render the state (its agent would NACK it): {cluster.error}
            </Alert>
          )}
          {cluster.diffs.length === 0 && !cluster.error && (
            <Text size="sm" c="dimmed">
              No change.
            </Text>
          )}
          {cluster.diffs.map((diff) => (
            <div key={diff.key}>
              <Group gap="xs" mt="xs">
                <Badge color={diff.change === 'added' ? 'green' : diff.change === 'removed' ? 'red' : 'blue'}>
                  {diff.change}
                </Badge>
                <Code>{diff.key}</Code>
              </Group>
              <pre
                style={{ fontSize: 12, maxHeight: 320, overflow: 'auto', background: '#f8f9fa', padding: 8 }}
                aria-label={`Diff of ${diff.key}`}
              >
                {diff.lines.map((line, i) => (
                  <div
                    key={i}
                    style={{
                      background:
                        line.kind === 'added' ? '#d3f9d8' : line.kind === 'removed' ? '#ffe3e3' : undefined,
                    }}
                  >
                    {line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  '}
                    {line.text}
                  </div>
                ))}
              </pre>
            </div>
          ))}
        </Card>
      ))}
    </Stack>
  );
}
