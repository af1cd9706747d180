import { KeyObject, createPrivateKey, randomBytes } from 'node:crypto';
import { createCsr } from './csr';
import * as pki from './index';
import { decodePemBlocks } from './pem';
import { signWorkloadCertificate } from './pki.test-util';

/**
 * "No function returns a private key except the create* functions": every exported function is
 * called here with realistic input, and its result is searched for key material. A new export
 * fails the coverage check until it is classified.
 */

const NOW = new Date('2030-01-01T00:00:00Z');
const KEY_RETURNING = [
  'createRootCa',
  'createAgentCa',
  'createServerCertificate',
  'createCsr',
  'openPrivateKey',
];

type Fixtures = {
  root: pki.CreatedCertificateAuthority;
  agentCa: pki.CreatedCertificateAuthority;
  intermediateCsr: { csrPem: string; privateKeyPem: string };
  agentCsr: { csrPem: string; privateKeyPem: string };
  intermediate: pki.SignedIntermediate;
  agentCert: pki.IssuedCertificate;
  masterKey: Buffer;
};

function isClass(value: unknown): boolean {
  return typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));
}

const exportedFunctions = Object.entries(pki)
  .filter(([, value]) => typeof value === 'function' && !isClass(value))
  .map(([name]) => name)
  .sort();

describe('public API surface', () => {
  let fixtures: Fixtures;
  /** 32-byte prefixes of the secret parts (d, p, q) of every private key in play. */
  const secretFragments: Buffer[] = [];

  beforeAll(async () => {
    const [root, agentCa, intermediateCsr, agentCsr] = await Promise.all([
      pki.createRootCa({
        tenantId: 't1',
        tenantName: 'Acme',
        gnsId: 'g1',
        gnsName: 'shop',
        trustDomain: 'shop.lattice.local',
        keyAlgorithm: 'RSA-2048',
        now: NOW,
      }),
      pki.createAgentCa({ keyAlgorithm: 'RSA-2048', now: NOW }),
      createCsr({ commonName: pki.intermediateCommonName('east'), rsaBits: 2048 }),
      createCsr({ commonName: 'agent', rsaBits: 2048 }),
    ]);
    const intermediate = pki.signIntermediate({
      csrPem: intermediateCsr.csrPem,
      rootCertificatePem: root.certificatePem,
      rootPrivateKeyPem: root.privateKeyPem,
      trustDomain: 'shop.lattice.local',
      clusterName: 'east',
      now: NOW,
    });
    const agentCert = pki.signAgentCertificate({
      csrPem: agentCsr.csrPem,
      caCertPem: agentCa.certificatePem,
      caKeyPem: agentCa.privateKeyPem,
      tenantId: 't1',
      clusterId: 'c1',
      now: NOW,
    });
    fixtures = {
      root,
      agentCa,
      intermediateCsr,
      agentCsr,
      intermediate,
      agentCert,
      masterKey: randomBytes(32),
    };
    for (const pem of [
      root.privateKeyPem,
      agentCa.privateKeyPem,
      intermediateCsr.privateKeyPem,
      agentCsr.privateKeyPem,
    ]) {
      // The PEM also holds the public modulus, which certificates rightly carry; look for the secrets.
      const jwk = createPrivateKey(pem).export({ format: 'jwk' });
      for (const secret of [jwk.d, jwk.p, jwk.q])
        secretFragments.push(Buffer.from(secret!, 'base64url').subarray(0, 32));
    }
  });

  const state = () => pki.initialRotationState({ now: NOW });
  const plannedRecord: pki.StoredIntermediateRecord = {
    rootGeneration: 1,
    notBefore: NOW,
    notAfter: new Date(NOW.getTime() + 3e10),
    requestedAt: NOW,
    signedAt: NOW,
    lastError: null,
  };
  const invocations: Record<string, (f: Fixtures) => unknown> = {
    certificateValidity: (f) => pki.certificateValidity(pki.parseCertificate(f.root.certificatePem)),
    parseCertificate: (f) => pki.parseCertificate(f.intermediate.certificatePem).toString(),
    // A signer object whose only property is sign(md); the key stays in its closure.
    nativeRsaSha256Signer: (f) => pki.nativeRsaSha256Signer(createPrivateKey(f.root.privateKeyPem)),
    gnsRootKeyAssociatedData: () =>
      pki.gnsRootKeyAssociatedData({ tenantId: 't1', gnsId: 'g1', generation: 1 }),
    isEncryptedBlob: (f) => pki.isEncryptedBlob(pki.sealPrivateKey(f.root.privateKeyPem, f.masterKey, 'x')),
    parseMasterKey: () => pki.parseMasterKey(randomBytes(32).toString('base64')).length,
    sealPrivateKey: (f) => pki.sealPrivateKey(f.root.privateKeyPem, f.masterKey, 'tenant:t1/gns:g1/root:1'),
    splitCertificatePems: (f) => pki.splitCertificatePems(f.intermediate.certChainPem),
    intermediateCommonName: () => pki.intermediateCommonName('east'),
    intermediateSpiffeId: () => pki.intermediateSpiffeId('shop.lattice.local', 'east'),
    needsRenewal: (f) => pki.needsRenewal(f.intermediate.certificatePem, NOW),
    renewalDueAt: (f) => pki.renewalDueAt(f.intermediate.certificatePem),
    signIntermediate: (f) =>
      pki.signIntermediate({
        csrPem: f.intermediateCsr.csrPem,
        rootCertificatePem: f.root.certificatePem,
        rootPrivateKeyPem: f.root.privateKeyPem,
        trustDomain: 'shop.lattice.local',
        clusterName: 'east',
        now: NOW,
      }),
    validateIntermediateCsr: (f) =>
      pki.validateIntermediateCsr(f.intermediateCsr.csrPem, {
        expectedCommonName: pki.intermediateCommonName('east'),
      }),
    intermediateRenewalDueAt: () =>
      pki.intermediateRenewalDueAt({ notBefore: NOW, notAfter: new Date(NOW.getTime() + 3e10) }),
    intermediateState: () => pki.intermediateState(plannedRecord, NOW),
    planIntermediateRequest: () => pki.planIntermediateRequest([plannedRecord], 1, NOW),
    buildTrustBundle: (f) => pki.buildTrustBundle([f.root.certificatePem]),
    trustBundleEntries: (f) => pki.trustBundleEntries([f.root.certificatePem]),
    trustBundleOfGenerations: (f) =>
      pki.trustBundleOfGenerations([{ generation: 1, certificatePem: f.root.certificatePem }]),
    advanceRotation: () => pki.advanceRotation(pki.startRotation(state(), NOW), [], NOW),
    cancelRotation: () => pki.cancelRotation(pki.startRotation(state(), NOW), NOW),
    initialRotationState: () => state(),
    issuingRootForStage: () => pki.issuingRootForStage(state()),
    startRotation: () => pki.startRotation(state(), NOW),
    trustedRootsForStage: () => pki.trustedRootsForStage(state()),
    agentSpiffeId: () => pki.agentSpiffeId('t1', 'c1'),
    parseAgentIdentity: (f) => pki.parseAgentIdentity(f.agentCert.certificatePem),
    signAgentCertificate: (f) =>
      pki.signAgentCertificate({
        csrPem: f.agentCsr.csrPem,
        caCertPem: f.agentCa.certificatePem,
        caKeyPem: f.agentCa.privateKeyPem,
        tenantId: 't1',
        clusterId: 'c1',
        now: NOW,
      }),
    // Key-returning by design:
    createRootCa: () =>
      pki.createRootCa({
        tenantId: 't',
        tenantName: 'T',
        gnsId: 'g',
        gnsName: 'g',
        trustDomain: 'g.local',
        keyAlgorithm: 'RSA-2048',
      }),
    createAgentCa: () => pki.createAgentCa({ keyAlgorithm: 'RSA-2048' }),
    createServerCertificate: (f) =>
      pki.createServerCertificate({
        caCertPem: f.agentCa.certificatePem,
        caKeyPem: f.agentCa.privateKeyPem,
        hostnames: ['a.local'],
        ips: [],
        now: NOW,
      }),
    createCsr: () => pki.createCsr({ commonName: 'x', rsaBits: 2048 }),
    openPrivateKey: (f) =>
      pki.openPrivateKey(pki.sealPrivateKey(f.root.privateKeyPem, f.masterKey, 'x'), f.masterKey, 'x'),
  };

  it('classifies every exported function', () => {
    expect(Object.keys(invocations).sort()).toEqual(exportedFunctions);
  });

  it.each(exportedFunctions.filter((name) => !KEY_RETURNING.includes(name)))(
    '%s returns no private key',
    async (name) => {
      const result = await invocations[name]!(fixtures);
      for (const leaf of leaves(result)) {
        if (leaf instanceof KeyObject) {
          expect(leaf.type).not.toBe('private');
        } else {
          expect(leaf).not.toMatch(/PRIVATE KEY/);
          for (const bytes of decodedForms(leaf)) {
            for (const fragment of secretFragments) expect(bytes.includes(fragment)).toBe(false);
          }
        }
      }
    },
  );

  it.each(KEY_RETURNING)('%s returns a private key only where its contract says', async (name) => {
    const result = await invocations[name]!(fixtures);
    const keyFields =
      typeof result === 'string'
        ? ['(the result)']
        : Object.keys(result as object).filter((key) => /private/i.test(key));
    expect(keyFields).toEqual(name === 'openPrivateKey' ? ['(the result)'] : ['privateKeyPem']);
  });

  it('would notice a leaked key, in PEM or as bare base64 DER (self-check of the detector)', () => {
    const der = createPrivateKey(fixtures.root.privateKeyPem).export({ format: 'der', type: 'pkcs1' });
    const leaked = leaves({ nested: [der.toString('base64')] }).flatMap((leaf) =>
      decodedForms(leaf as string),
    );
    expect(leaked.some((bytes) => secretFragments.some((fragment) => bytes.includes(fragment)))).toBe(true);
  });

  it('puts no key material into error messages', () => {
    const mismatched = () =>
      pki.signIntermediate({
        csrPem: fixtures.intermediateCsr.csrPem,
        rootCertificatePem: fixtures.root.certificatePem,
        rootPrivateKeyPem: fixtures.agentCa.privateKeyPem,
        trustDomain: 'shop.lattice.local',
        clusterName: 'east',
        now: NOW,
      });
    expect(mismatched).toThrow(pki.CertificateError);
    try {
      mismatched();
    } catch (error: unknown) {
      expect(String((error as Error).message)).not.toMatch(/PRIVATE KEY|MII/);
    }
    const workload = signWorkloadCertificate({
      intermediateCertPem: fixtures.intermediate.certificatePem,
      intermediateKeyPem: fixtures.intermediateCsr.privateKeyPem,
      spiffeId: 'spiffe://shop.lattice.local/ns/a/sa/b',
      now: NOW,
    });
    expect(() => pki.parseAgentIdentity(workload)).toThrow(pki.AgentIdentityError);
  });
});

/** Every string (and KeyObject) inside a result, however nested. */
function leaves(value: unknown): Array<string | KeyObject> {
  if (typeof value === 'string') return [value];
  if (value instanceof KeyObject) return [value];
  if (Buffer.isBuffer(value)) return [value.toString('base64'), value.toString('latin1')];
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (value && typeof value === 'object' && !(value instanceof Date))
    return Object.values(value).flatMap(leaves);
  return [];
}

/** A string as raw bytes, as the DER inside any PEM blocks, and as base64 if it is base64. */
function decodedForms(text: string): Buffer[] {
  const forms = [Buffer.from(text, 'latin1'), ...decodePemBlocks(text).map((block) => block.der)];
  if (/^[A-Za-z0-9+/=_-]+$/.test(text)) forms.push(Buffer.from(text, 'base64'));
  return forms;
}
