import type { KubeObject } from '@lattice/istio';
import { chooseIstioApiVersions, servedApiVersion, withServedApiVersion } from './istio-api-versions.util';

const group = (name: string, versions: string[], preferred = versions[0]) => ({
  name,
  versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
  preferredVersion: { groupVersion: `${name}/${preferred}`, version: preferred },
});

const serviceEntry: KubeObject = {
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'ServiceEntry',
  metadata: { name: 'cart', namespace: 'istio-system' },
  spec: { hosts: ['cart.shop.global'] },
};

describe('chooseIstioApiVersions', () => {
  it('uses the preferred version when the cluster serves both', () => {
    const versions = chooseIstioApiVersions([
      group('apps', ['v1']),
      group('networking.istio.io', ['v1', 'v1beta1', 'v1alpha3']),
      group('security.istio.io', ['v1', 'v1beta1']),
    ]);
    expect([...versions]).toEqual([
      ['networking.istio.io', 'v1'],
      ['security.istio.io', 'v1'],
    ]);
  });

  it('uses v1beta1 on clusters serving only v1beta1 (Istio before 1.22)', () => {
    const versions = chooseIstioApiVersions([
      group('networking.istio.io', ['v1beta1', 'v1alpha3']),
      group('security.istio.io', ['v1beta1']),
    ]);
    expect(versions.get('networking.istio.io')).toBe('v1beta1');
    expect(versions.get('security.istio.io')).toBe('v1beta1');
  });

  it('follows a preferred v1beta1 and falls back when the preferred version is not one Lattice renders', () => {
    expect(
      chooseIstioApiVersions([group('networking.istio.io', ['v1', 'v1beta1'], 'v1beta1')]).get(
        'networking.istio.io',
      ),
    ).toBe('v1beta1');
    expect(
      chooseIstioApiVersions([group('networking.istio.io', ['v1alpha3', 'v1beta1'], 'v1alpha3')]).get(
        'networking.istio.io',
      ),
    ).toBe('v1beta1');
  });

  it('leaves out groups the cluster does not serve (no Istio CRDs)', () => {
    expect(chooseIstioApiVersions([group('apps', ['v1'])]).size).toBe(0);
  });

  it('refuses a group served only in versions Lattice does not render', () => {
    expect(() => chooseIstioApiVersions([group('networking.istio.io', ['v1alpha3'])])).toThrow(
      'the API server serves networking.istio.io only as v1alpha3; Lattice needs v1 or v1beta1',
    );
  });
});

describe('withServedApiVersion', () => {
  const v1 = new Map([['networking.istio.io', 'v1']]);

  it('renders Istio objects at the served version and leaves core objects alone', () => {
    expect(withServedApiVersion(serviceEntry, v1)).toEqual({
      ...serviceEntry,
      apiVersion: 'networking.istio.io/v1',
    });
    expect(servedApiVersion('v1', v1)).toBe('v1');
    expect(servedApiVersion('apps/v1', new Map())).toBe('apps/v1');
  });

  it('throws a clear error for an Istio group the cluster does not serve', () => {
    expect(() => withServedApiVersion(serviceEntry, new Map())).toThrow(
      'ServiceEntry istio-system/cart: the API server does not serve networking.istio.io (is Istio installed in this cluster?)',
    );
    expect(servedApiVersion('security.istio.io/v1', v1)).toBeUndefined();
  });
});
