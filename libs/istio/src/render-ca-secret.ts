import type { DesiredCaMaterial, DesiredGlobalNamespace } from '@lattice/domain';
import type { KubeObject } from './kube-object';
import { objectName } from './object-name';
import { ISTIO_CONFIG_NAMESPACE } from './ownership';
import { RenderError } from './render-error';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export const ROOT_GENERATION_ANNOTATION = 'lattice.io/root-generation';

export function caSecretName(gns: DesiredGlobalNamespace): string {
  return objectName(`lattice-cacerts-${gns.name}`);
}

/**
 * The GNS intermediate in Istio's plug-in CA layout. This is the only object that carries a
 * private key, and the key comes from the cluster itself (it never travels in a snapshot).
 */
export function renderCaSecret(
  gns: DesiredGlobalNamespace,
  ca: DesiredCaMaterial,
  intermediateKeyPem: string,
  labels: Record<string, string>,
): KubeObject {
  return pluginCaSecret(caSecretName(gns), gns, ca, ca.trustBundlePem, intermediateKeyPem, labels);
}

/** The only Secret istiod reads its plug-in CA from. */
export const MESH_CA_SECRET_NAME = 'cacerts';
export const MESH_CA_GNS_ANNOTATION = 'lattice.io/global-namespace';

/**
 * istiod's own CA (`istio-system/cacerts`): the designated GNS's intermediate, with the merged
 * trust bundle of `meshCa` as `root-cert.pem` (see DesiredMeshCa). istiod only reads it at start,
 * so a changed Secret needs an istiod restart (Istio's documented plug-in CA procedure).
 */
export function renderMeshCaSecret(
  gns: DesiredGlobalNamespace,
  ca: DesiredCaMaterial,
  meshTrustBundlePem: string,
  intermediateKeyPem: string,
  labels: Record<string, string>,
): KubeObject {
  const secret = pluginCaSecret(MESH_CA_SECRET_NAME, gns, ca, meshTrustBundlePem, intermediateKeyPem, labels);
  secret.metadata.annotations = { ...secret.metadata.annotations, [MESH_CA_GNS_ANNOTATION]: gns.name };
  return secret;
}

function pluginCaSecret(
  name: string,
  gns: DesiredGlobalNamespace,
  ca: DesiredCaMaterial,
  trustBundlePem: string,
  intermediateKeyPem: string,
  labels: Record<string, string>,
): KubeObject {
  const chain = certificates(ca.certChainPem);
  if (chain.length < 2) {
    throw new RenderError(
      `GNS "${gns.name}": the certificate chain must hold the intermediate followed by its root (found ${chain.length} certificate(s))`,
    );
  }
  const roots = certificates(trustBundlePem);
  if (roots.length === 0) throw new RenderError(`GNS "${gns.name}": the trust bundle holds no certificate`);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace: ISTIO_CONFIG_NAMESPACE,
      labels,
      annotations: { [ROOT_GENERATION_ANNOTATION]: String(ca.rootGeneration) },
    },
    type: 'Opaque',
    data: {
      'ca-cert.pem': base64(pemBundle(chain.slice(0, 1))),
      'ca-key.pem': base64(withTrailingNewline(intermediateKeyPem)),
      'cert-chain.pem': base64(pemBundle(chain)),
      'root-cert.pem': base64(pemBundle(roots)),
    },
  };
}

function certificates(pem: string): string[] {
  return pem.match(PEM_CERTIFICATE) ?? [];
}

function pemBundle(blocks: readonly string[]): string {
  return blocks.map((block) => `${block}\n`).join('');
}

function withTrailingNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
