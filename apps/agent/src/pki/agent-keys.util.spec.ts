import { createTestCa, csrCommonName, signCsr } from '../testing/test-pki.test-fixtures';
import {
  certificateValidity,
  firstCertificatePem,
  generateKeyAndCsr,
  isCertificatePem,
  keyMatchesCertificate,
  renewalTimeMs,
} from './agent-keys.util';

describe('agent keys', () => {
  const ca = createTestCa();

  it('creates an RSA key and a CSR with the requested common name that a CA can sign', async () => {
    const { keyPem, csrPem } = await generateKeyAndCsr('cluster-a', 2048);
    expect(keyPem).toContain('BEGIN PRIVATE KEY');
    expect(csrCommonName(csrPem)).toBe('cluster-a');
    const certPem = signCsr(ca, csrPem, {});
    expect(keyMatchesCertificate(keyPem, certPem)).toBe(true);
  });

  it('matches keys to certificates by public key', async () => {
    const first = await generateKeyAndCsr('one', 2048);
    const second = await generateKeyAndCsr('two', 2048);
    const firstCert = signCsr(ca, first.csrPem, {});
    expect(keyMatchesCertificate(second.keyPem, firstCert)).toBe(false);
    expect(keyMatchesCertificate('not a key', firstCert)).toBe(false);
  });

  it('takes the first certificate of a chain', () => {
    const chain = `${ca.certPem}\n${createTestCa('other').certPem}`;
    expect(firstCertificatePem(chain)?.trim()).toBe(ca.certPem.trim());
    expect(firstCertificatePem('garbage')).toBeUndefined();
    expect(isCertificatePem(ca.certPem)).toBe(true);
    expect(isCertificatePem('-----BEGIN PRIVATE KEY-----')).toBe(false);
  });

  it('renews after two thirds of the lifetime', async () => {
    const notBefore = new Date('2030-01-01T00:00:00Z');
    const notAfter = new Date('2030-01-04T00:00:00Z');
    const { csrPem } = await generateKeyAndCsr('x', 2048);
    const validity = certificateValidity(signCsr(ca, csrPem, { notBefore, notAfter }));
    expect(validity).toEqual({ notBeforeMs: notBefore.getTime(), notAfterMs: notAfter.getTime() });
    expect(new Date(renewalTimeMs(validity)).toISOString()).toBe('2030-01-03T00:00:00.000Z');
  });
});
