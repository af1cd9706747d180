import { gnsTelemetryScope } from './gns-telemetry-scope';

describe('gnsTelemetryScope', () => {
  const clusters = [
    { id: 'c1', name: 'prod-east' },
    { id: 'c2', name: 'prod-west' },
    { id: 'c3', name: 'staging' },
  ];
  const scope = gnsTelemetryScope(
    [
      { cluster: { type: 'PREFIX', value: 'prod-' }, namespace: { type: 'EXACT', value: 'shop' } },
      { cluster: { type: 'EXACT', value: 'prod-east' }, namespace: { type: 'PREFIX', value: 'kube-' } },
    ],
    clusters,
  );

  it('narrows reads to clusters some condition names', () => {
    expect(scope.candidateClusterIds).toEqual(['c1', 'c2']);
  });

  it('includes member (cluster, namespace) pairs only, never reserved namespaces', () => {
    expect(scope.includes('c1', 'shop')).toBe(true);
    expect(scope.includes('c2', 'shop')).toBe(true);
    expect(scope.includes('c2', 'payments')).toBe(false);
    expect(scope.includes('c3', 'shop')).toBe(false);
    expect(scope.includes('c1', 'kube-system')).toBe(false);
    expect(scope.includes('c1', 'kube-apps')).toBe(true);
    expect(scope.includes('unknown', 'shop')).toBe(false);
  });
});
