import { X509Certificate } from 'node:crypto';
import {
  agentSpiffeId,
  createAgentCa,
  createServerCertificate,
  parseAgentIdentity,
  signAgentCertificate,
  type SignAgentCertificateInput,
} from './agent-ca';
import { createCsr } from './csr';
import { AgentIdentityError, CsrRejectedError, InvalidPkiInputError } from './errors';
import { createRootCa, type CreatedCertificateAuthority } from './gns-ca';
import { craftCsr, opensslText, opensslVerify, rsaKeyPairPem, verifyChain } from './pki.test-util';

const NOW = new Date('2030-01-01T00:00:00Z');
const DAY_MS = 86_400_000;

describe('agent identity CA', () => {
  let agentCa: CreatedCertificateAuthority;
  let otherCa: CreatedCertificateAuthority;
  let agentCsr: { csrPem: string; privateKeyPem: string };

  beforeAll(async () => {
    [agentCa, otherCa, agentCsr] = await Promise.all([
      createAgentCa({ keyAlgorithm: 'RSA-2048', now: NOW }),
      createAgentCa({ keyAlgorithm: 'RSA-2048', now: NOW }),
      createCsr({ commonName: 'whatever-the-agent-claims', rsaBits: 2048 }),
    ]);
  });

  function signInput(overrides: Partial<SignAgentCertificateInput> = {}): SignAgentCertificateInput {
    return {
      csrPem: agentCsr.csrPem,
      caCertPem: agentCa.certificatePem,
      caKeyPem: agentCa.privateKeyPem,
      tenantId: 'tenant-1',
      clusterId: 'cluster-9',
      now: NOW,
      ...overrides,
    };
  }

  it('creates a self-signed CA that may sign leaves only', () => {
    const x509 = new X509Certificate(agentCa.certificatePem);
    expect(x509.subject.split('\n')).toEqual(['O=Lattice', 'CN=Lattice agent CA']);
    expect(x509.ca).toBe(true);
    expect(opensslText(agentCa.certificatePem)).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(agentCa.notAfter.getTime()).toBe(NOW.getTime() + 3650 * DAY_MS);
  });

  it('signs a 30-day clientAuth certificate whose identity comes from the caller, not the CSR', () => {
    const issued = signAgentCertificate(signInput());
    const x509 = new X509Certificate(issued.certificatePem);
    expect(x509.subject).toBe('CN=cluster-9');
    expect(x509.subjectAltName).toBe('URI:spiffe://lattice.agents/tenants/tenant-1/clusters/cluster-9');
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(x509.ca).toBe(false);
    expect(issued.notAfter.getTime()).toBe(NOW.getTime() + 30 * DAY_MS);
    expect(
      opensslVerify(issued.certificatePem, [], agentCa.certificatePem, { at: NOW, purpose: 'sslclient' }),
    ).toMatchObject({ ok: true });
    expect(
      opensslVerify(issued.certificatePem, [], agentCa.certificatePem, { at: NOW, purpose: 'sslserver' }).ok,
    ).toBe(false);
    expect(verifyChain(issued.certificatePem, [], otherCa.certificatePem, NOW)).toMatchObject({
      valid: false,
    });
  });

  it('ignores the SAN and subject a CSR asks for', () => {
    const greedy = craftCsr({
      keyPair: rsaKeyPairPem(2048),
      subject: [{ shortName: 'CN', value: 'cluster-1' }],
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [{ type: 6, value: agentSpiffeId('other-tenant', 'cluster-1') }],
        },
        { name: 'basicConstraints', cA: true },
      ],
    });
    const issued = signAgentCertificate(signInput({ csrPem: greedy }));
    expect(parseAgentIdentity(issued.certificatePem)).toMatchObject({
      tenantId: 'tenant-1',
      clusterId: 'cluster-9',
    });
    expect(new X509Certificate(issued.certificatePem).ca).toBe(false);
  });

  it('still checks the CSR key and signature, and the ids', () => {
    const weak = craftCsr({ keyPair: rsaKeyPairPem(1024), subject: [{ shortName: 'CN', value: 'x' }] });
    expect(() => signAgentCertificate(signInput({ csrPem: weak }))).toThrow(CsrRejectedError);
    expect(() => signAgentCertificate(signInput({ clusterId: '../admin' }))).toThrow(InvalidPkiInputError);
    expect(() => signAgentCertificate(signInput({ tenantId: 'a/b' }))).toThrow(InvalidPkiInputError);
  });

  it('parses the identity from PEM and from DER (as TLS hands the peer certificate over)', () => {
    const issued = signAgentCertificate(signInput());
    const expected = {
      tenantId: 'tenant-1',
      clusterId: 'cluster-9',
      spiffeId: 'spiffe://lattice.agents/tenants/tenant-1/clusters/cluster-9',
      notAfter: issued.notAfter,
      fingerprintSha256: issued.fingerprintSha256,
    };
    expect(parseAgentIdentity(issued.certificatePem)).toEqual(expected);
    expect(parseAgentIdentity(new X509Certificate(issued.certificatePem).raw)).toEqual(expected);
  });

  it('refuses certificates without an agent identity', async () => {
    const gnsRoot = await createRootCa({
      tenantId: 't',
      tenantName: 'T',
      gnsId: 'g',
      gnsName: 'g',
      trustDomain: 'g.local',
      keyAlgorithm: 'RSA-2048',
      now: NOW,
    });
    const server = await createServerCertificate({
      caCertPem: agentCa.certificatePem,
      caKeyPem: agentCa.privateKeyPem,
      hostnames: ['controller.lattice.local'],
      ips: [],
      now: NOW,
    });
    expect(() => parseAgentIdentity(gnsRoot.certificatePem)).toThrow(AgentIdentityError);
    expect(() => parseAgentIdentity(server.certificatePem)).toThrow(
      new AgentIdentityError('the certificate is not for client authentication (no clientAuth EKU)'),
    );
    expect(() => parseAgentIdentity('not a certificate')).toThrow(AgentIdentityError);
  });

  describe('createServerCertificate', () => {
    it('issues a serverAuth certificate for the given names and addresses, with its own key', async () => {
      const server = await createServerCertificate({
        caCertPem: agentCa.certificatePem,
        caKeyPem: agentCa.privateKeyPem,
        hostnames: ['Controller.Lattice.Local', 'localhost'],
        ips: ['127.0.0.1', '::1'],
        now: NOW,
      });
      const x509 = new X509Certificate(server.certificatePem);
      expect(x509.subject).toBe('O=Lattice\nCN=controller.lattice.local');
      expect(x509.checkHost('controller.lattice.local')).toBe('controller.lattice.local');
      expect(x509.checkHost('localhost')).toBe('localhost');
      expect(x509.checkHost('evil.example')).toBeUndefined();
      expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(x509.checkIP('::1')).toBe('::1');
      expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
      expect(server.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(server.certChainPem).toBe(server.certificatePem + agentCa.certificatePem);
      expect(server.notAfter.getTime()).toBe(NOW.getTime() + 365 * DAY_MS);
      expect(
        opensslVerify(server.certificatePem, [], agentCa.certificatePem, { at: NOW, purpose: 'sslserver' }),
      ).toMatchObject({ ok: true });
    });

    it.each([
      ['no names at all', { hostnames: [], ips: [] }],
      ['an invalid hostname', { hostnames: ['bad_host!'], ips: [] }],
      ['an invalid IP', { hostnames: [], ips: ['300.1.1.1'] }],
    ])('refuses %s', async (_label, names) => {
      await expect(
        createServerCertificate({
          caCertPem: agentCa.certificatePem,
          caKeyPem: agentCa.privateKeyPem,
          ...names,
          now: NOW,
        }),
      ).rejects.toBeInstanceOf(InvalidPkiInputError);
    });
  });
});
