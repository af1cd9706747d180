import type { KubeObject } from '@lattice/istio';
import {
  OWNER_ANNOTATION,
  ownerOf,
  ownershipSelector,
  withOwnership,
  writeDecision,
} from './kubernetes-ownership.util';

const serviceEntry: KubeObject = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'cart', namespace: 'istio-system', labels: { app: 'cart', 'lattice.io/gns': 'g-1' } },
};
const cacerts: KubeObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'cacerts', namespace: 'istio-system', labels: { 'lattice.io/gns': 'g-1' } },
  data: { 'ca-cert.pem': 'bGF0dGljZQ==' },
};
/** What a user's own plug-in CA looks like: no Lattice marks at all. */
const usersCacerts = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'cacerts', namespace: 'istio-system' },
};

describe('withOwnership', () => {
  it("labels and annotates without dropping the object's own labels and annotations", () => {
    const marked = withOwnership(
      { ...serviceEntry, metadata: { ...serviceEntry.metadata, annotations: { note: 'x' } } },
      'c-9',
    );
    expect(marked.metadata.labels).toEqual({
      app: 'cart',
      'lattice.io/gns': 'g-1',
      'app.kubernetes.io/managed-by': 'lattice',
      'lattice.io/cluster': 'c-9',
    });
    expect(marked.metadata.annotations).toEqual({
      note: 'x',
      [OWNER_ANNOTATION]: '{"cluster":"c-9","globalNamespace":"g-1"}',
    });
    expect(ownerOf(marked, 'c-9')).toEqual({ cluster: 'c-9', globalNamespace: 'g-1' });
    expect(ownerOf(withOwnership(cacerts, 'c-9', true), 'c-9')).toEqual({
      cluster: 'c-9',
      globalNamespace: 'g-1',
      takenOver: true,
    });
    expect(ownershipSelector('c-9')).toBe('app.kubernetes.io/managed-by=lattice,lattice.io/cluster=c-9');
  });

  it('owns nothing without both the labels and the annotation of this cluster', () => {
    const marked = withOwnership(serviceEntry, 'c-1');
    expect(ownerOf(marked, 'c-2')).toBeUndefined();
    expect(ownerOf({ ...marked, metadata: { ...marked.metadata, annotations: {} } }, 'c-1')).toBeUndefined();
    expect(ownerOf({ ...marked, metadata: { ...marked.metadata, labels: {} } }, 'c-1')).toBeUndefined();
    const garbled = { ...marked, metadata: { ...marked.metadata, annotations: { [OWNER_ANNOTATION]: '{' } } };
    expect(ownerOf(garbled, 'c-1')).toBeUndefined();
  });
});

describe('writeDecision', () => {
  it('writes what is absent or already its own, keeping a take-over mark', () => {
    expect(writeDecision(serviceEntry, undefined, 'c-1', false)).toEqual({ write: true, takenOver: false });
    expect(writeDecision(serviceEntry, withOwnership(serviceEntry, 'c-1'), 'c-1', false)).toEqual({
      write: true,
      takenOver: false,
    });
    expect(writeDecision(cacerts, withOwnership(cacerts, 'c-1', true), 'c-1', false)).toEqual({
      write: true,
      takenOver: true,
    });
  });

  it('refuses an object of the same name it did not create, saying so', () => {
    const decision = writeDecision(
      serviceEntry,
      { ...serviceEntry, metadata: { name: 'cart' } },
      'c-1',
      true,
    );
    expect(decision).toEqual({
      write: false,
      reason: expect.stringContaining('ServiceEntry istio-system/cart exists and was not created by Lattice'),
    });
    // Another cluster's agent's object is not this agent's either.
    expect(writeDecision(serviceEntry, withOwnership(serviceEntry, 'c-2'), 'c-1', false).write).toBe(false);
  });

  it("leaves a user's cacerts alone unless the cluster opted into take-over", () => {
    expect(writeDecision(cacerts, usersCacerts, 'c-1', false)).toEqual({
      write: false,
      reason: expect.stringContaining('Register the cluster with takeOverMeshCa: true'),
    });
    expect(writeDecision(cacerts, usersCacerts, 'c-1', true)).toEqual({
      write: true,
      takenOver: true,
      takingOver: true,
    });
  });
});
