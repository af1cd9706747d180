import type { KubeObject } from '@lattice/istio';
import {
  kindsToWatch,
  objectsToPrune,
  ownershipSelector,
  withOwnershipLabels,
} from './kubernetes-prune.util';

const owned = { 'app.kubernetes.io/managed-by': 'lattice', 'lattice.io/cluster': 'c-1' };

function object(
  kind: string,
  name: string,
  labels: Record<string, string> = owned,
  apiVersion = 'networking.istio.io/v1',
): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: 'shop', labels } };
}

describe('objectsToPrune', () => {
  it('deletes owned objects of this cluster that are no longer wanted', () => {
    const existing = [
      object('ServiceEntry', 'cart'),
      object('ServiceEntry', 'web'),
      object('DestinationRule', 'cart'),
    ];
    const desired = [object('ServiceEntry', 'cart', {})];
    expect(objectsToPrune(existing, desired, 'c-1').map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'ServiceEntry/web',
      'DestinationRule/cart',
    ]);
  });

  it('deletes per-version Services it made once no split needs them, in any namespace', () => {
    const service = (name: string, labels: Record<string, string> = owned) =>
      object('Service', name, labels, 'v1');
    const existing = [service('lattice-cart-v2-1a2b3c4d'), service('cart', {})];
    expect(objectsToPrune(existing, [], 'c-1').map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Service/lattice-cart-v2-1a2b3c4d',
    ]);
    expect(kindsToWatch([]).find((kind) => kind.kind === 'Service')).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
    });
  });

  it('never deletes objects of another owner or another cluster', () => {
    const existing = [
      object('ServiceEntry', 'by-hand', {}),
      object('ServiceEntry', 'other-cluster', { ...owned, 'lattice.io/cluster': 'c-2' }),
      object('ServiceEntry', 'argo', { ...owned, 'app.kubernetes.io/managed-by': 'argocd' }),
    ];
    expect(objectsToPrune(existing, [], 'c-1')).toEqual([]);
  });

  it('treats another API version of the same kind and name as the same object', () => {
    const existing = [object('VirtualService', 'cart', owned, 'networking.istio.io/v1beta1')];
    expect(objectsToPrune(existing, [object('VirtualService', 'cart')], 'c-1')).toEqual([]);
  });

  it('tells same-named objects in different namespaces apart', () => {
    const elsewhere: KubeObject = {
      ...object('ServiceEntry', 'cart'),
      metadata: { name: 'cart', namespace: 'search', labels: owned },
    };
    expect(objectsToPrune([elsewhere], [object('ServiceEntry', 'cart')], 'c-1')).toEqual([elsewhere]);
  });
});

describe('ownership', () => {
  it('labels objects without dropping their own labels', () => {
    expect(
      withOwnershipLabels(object('ServiceEntry', 'cart', { app: 'cart' }), 'c-9').metadata.labels,
    ).toEqual({
      app: 'cart',
      'app.kubernetes.io/managed-by': 'lattice',
      'lattice.io/cluster': 'c-9',
    });
    expect(ownershipSelector('c-9')).toBe('app.kubernetes.io/managed-by=lattice,lattice.io/cluster=c-9');
  });

  it('watches the default kinds plus any other kind in the desired set', () => {
    const kinds = kindsToWatch(
      [object('Sidecar', 's'), object('ServiceEntry', 'x', owned, 'networking.istio.io/v1beta1')],
      [{ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry' }],
    );
    expect(kinds).toEqual([
      { apiVersion: 'networking.istio.io/v1beta1', kind: 'ServiceEntry' },
      { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar' },
    ]);
  });

  it('lists Secrets and ConfigMaps only in istio-system until a desired one lives elsewhere', () => {
    const secret = (namespace: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'ca', namespace, labels: owned },
    });
    const limited = kindsToWatch([secret('istio-system')]);
    expect(limited.find((kind) => kind.kind === 'Secret')).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: 'istio-system',
    });
    expect(limited.find((kind) => kind.kind === 'ConfigMap')?.namespace).toBe('istio-system');
    expect(limited.find((kind) => kind.kind === 'ServiceEntry')?.namespace).toBeUndefined();

    const widened = kindsToWatch([secret('istio-system'), secret('shop'), secret('istio-system')]);
    expect(widened.find((kind) => kind.kind === 'Secret')).toEqual({ apiVersion: 'v1', kind: 'Secret' });
  });
});
