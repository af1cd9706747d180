import type { KubeObject } from '@lattice/istio';
import { OWNER_ANNOTATION } from './kubernetes-ownership.util';
import { type PrunePlan, kindsToWatch, planPrune } from './kubernetes-prune.util';

const owned = { 'app.kubernetes.io/managed-by': 'lattice', 'lattice.io/cluster': 'c-1' };
const ownerAnnotation = (owner: object = { cluster: 'c-1' }) => ({
  [OWNER_ANNOTATION]: JSON.stringify(owner),
});

/** An object as listed; carries the owner annotation of cluster c-1 unless `annotations` says otherwise. */
function object(
  kind: string,
  name: string,
  labels: Record<string, string> = owned,
  apiVersion = 'networking.istio.io/v1',
  annotations: Record<string, string> = ownerAnnotation(),
): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: 'shop', labels, annotations } };
}

const names = (objects: PrunePlan['remove']) => objects.map((o) => `${o.kind}/${o.metadata?.name}`);

function objectsToPrune(existing: KubeObject[], desired: KubeObject[], clusterId: string) {
  return planPrune(existing, desired, clusterId).remove;
}

describe('objectsToPrune', () => {
  it('deletes owned objects of this cluster that are no longer wanted', () => {
    const existing = [
      object('ServiceEntry', 'cart'),
      object('ServiceEntry', 'web'),
      object('DestinationRule', 'cart'),
    ];
    const desired = [object('ServiceEntry', 'cart', {})];
    expect(names(objectsToPrune(existing, desired, 'c-1'))).toEqual([
      'ServiceEntry/web',
      'DestinationRule/cart',
    ]);
  });

  it('deletes per-version Services it made once no split needs them, in any namespace', () => {
    const service = (name: string, labels: Record<string, string> = owned) =>
      object('Service', name, labels, 'v1');
    const existing = [service('lattice-cart-v2-1a2b3c4d'), service('cart', {})];
    expect(names(objectsToPrune(existing, [], 'c-1'))).toEqual(['Service/lattice-cart-v2-1a2b3c4d']);
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
      object('ServiceEntry', 'copied-labels', owned, 'networking.istio.io/v1', {}),
      object(
        'ServiceEntry',
        'other-annotation',
        owned,
        'networking.istio.io/v1',
        ownerAnnotation({ cluster: 'c-2' }),
      ),
      object('ServiceEntry', 'garbled', owned, 'networking.istio.io/v1', { [OWNER_ANNOTATION]: 'c-1' }),
    ];
    expect(objectsToPrune(existing, [], 'c-1')).toEqual([]);
  });

  it("keeps an object it took over (a user's cacerts) when it is no longer wanted", () => {
    const cacerts = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'cacerts',
        namespace: 'istio-system',
        labels: owned,
        annotations: ownerAnnotation({ cluster: 'c-1', globalNamespace: 'g-1', takenOver: true }),
      },
    };
    const plan = planPrune([cacerts, object('ServiceEntry', 'cart')], [], 'c-1');
    expect(names(plan.remove)).toEqual(['ServiceEntry/cart']);
    expect(plan.keep).toEqual([cacerts]);
  });

  it('treats another API version of the same kind and name as the same object', () => {
    const existing = [object('VirtualService', 'cart', owned, 'networking.istio.io/v1beta1')];
    expect(objectsToPrune(existing, [object('VirtualService', 'cart')], 'c-1')).toEqual([]);
  });

  it('tells same-named objects in different namespaces apart', () => {
    const elsewhere: KubeObject = {
      ...object('ServiceEntry', 'cart'),
      metadata: { name: 'cart', namespace: 'search', labels: owned, annotations: ownerAnnotation() },
    };
    expect(objectsToPrune([elsewhere], [object('ServiceEntry', 'cart')], 'c-1')).toEqual([elsewhere]);
  });
});

describe('kindsToWatch', () => {
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
