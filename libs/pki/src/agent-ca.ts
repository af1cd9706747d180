import { createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import {
  certificateValidity,
  issueCertificate,
  loadSigningAuthority,
  parseCertificate,
  utf8NameAttribute,
  validityWindow,
  type IssuedCertificate,
} from './certificate';
import { parseCsr } from './csr';
import { AgentIdentityError, InvalidPkiInputError } from './errors';
import {
  createSelfSignedCa,
  type CreatedCertificateAuthority,
  type RootKeyAlgorithm,
} from './self-signed-ca';
import { generateRsaKeyPair, type RsaBits } from './keys';
import { assertPathSegment } from './names';

/**
 * The controller's internal CA for the agent link (not a GNS CA): it signs each agent's client
 * certificate after bootstrap-token redemption, and the controller's own gRPC server certificate.
 * Agents trust it for the server; the server trusts it for clients and reads the identity from
 * the SAN URI.
 */

export const AGENT_TRUST_DOMAIN = 'lattice.agents';
export const DEFAULT_AGENT_CERT_VALIDITY_DAYS = 30;
export const DEFAULT_SERVER_CERT_VALIDITY_DAYS = 365;
export const DEFAULT_AGENT_CA_VALIDITY_DAYS = 3650;
const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const AGENT_SPIFFE_ID =
  /^spiffe:\/\/lattice\.agents\/tenants\/([A-Za-z0-9._-]+)\/clusters\/([A-Za-z0-9._-]+)$/;

export function agentSpiffeId(tenantId: string, clusterId: string): string {
  return `spiffe://${AGENT_TRUST_DOMAIN}/tenants/${tenantId}/clusters/${clusterId}`;
}

export interface AgentIdentity {
  tenantId: string;
  clusterId: string;
  spiffeId: string;
  notAfter: Date;
  fingerprintSha256: string;
}

/** Self-signed CA, O=Lattice CN=Lattice agent CA, CA:TRUE pathLen:0 (it only signs leaves). */
export function createAgentCa(
  input: { validityDays?: number; keyAlgorithm?: RootKeyAlgorithm; now?: Date } = {},
): Promise<CreatedCertificateAuthority> {
  return createSelfSignedCa({
    subject: [utf8NameAttribute('O', 'Lattice'), utf8NameAttribute('CN', 'Lattice agent CA')],
    pathLenConstraint: 0,
    validityDays: input.validityDays ?? DEFAULT_AGENT_CA_VALIDITY_DAYS,
    keyAlgorithm: input.keyAlgorithm,
    now: input.now,
  });
}

export interface SignAgentCertificateInput {
  csrPem: string;
  caCertPem: string;
  caKeyPem: string;
  tenantId: string;
  clusterId: string;
  validityDays?: number;
  now?: Date;
}

/**
 * Client certificate for one agent: CN=<clusterId>, SAN URI
 * spiffe://lattice.agents/tenants/<tenantId>/clusters/<clusterId>, EKU clientAuth only.
 * Only the CSR's key (RSA >= 2048, verified self-signature) is used: the identity comes from the
 * bootstrap token the caller redeemed, never from what the CSR claims.
 */
export function signAgentCertificate(input: SignAgentCertificateInput): IssuedCertificate {
  assertPathSegment('tenantId', input.tenantId);
  assertPathSegment('clusterId', input.clusterId);
  const now = input.now ?? new Date();
  const csr = parseCsr(input.csrPem, { minRsaBits: 2048 });
  const ca = loadSigningAuthority(input.caCertPem, input.caKeyPem, now);
  const { notBefore, notAfter } = validityWindow(
    now,
    input.validityDays ?? DEFAULT_AGENT_CERT_VALIDITY_DAYS,
    ca,
  );
  return issueCertificate({
    subject: [utf8NameAttribute('CN', input.clusterId)],
    subjectPublicKey: csr.publicKey,
    issuer: ca,
    notBefore,
    notAfter,
    extensions: [
      { name: 'basicConstraints', critical: true, cA: false },
      { name: 'keyUsage', critical: true, digitalSignature: true },
      { name: 'extKeyUsage', clientAuth: true },
      {
        name: 'subjectAltName',
        altNames: [{ type: 6, value: agentSpiffeId(input.tenantId, input.clusterId) }],
      },
    ],
  });
}

/**
 * Reads the agent identity from a client certificate (PEM, or DER as TLS hands it over). It does
 * not verify the chain: the TLS layer has done that against the agent CA before this is called.
 * Throws AgentIdentityError unless the certificate is a non-CA clientAuth certificate with exactly
 * one agent SPIFFE ID.
 */
export function parseAgentIdentity(certPemOrDer: string | Buffer): AgentIdentity {
  let x509;
  try {
    x509 = parseCertificate(certPemOrDer);
  } catch {
    throw new AgentIdentityError('the client certificate cannot be read');
  }
  if (x509.ca) throw new AgentIdentityError('a CA certificate is not an agent identity');
  if (!(x509.keyUsage ?? []).includes(CLIENT_AUTH_OID)) {
    throw new AgentIdentityError('the certificate is not for client authentication (no clientAuth EKU)');
  }
  // Node renders SANs as "DNS:a, URI:b"; values with separators would be quoted, which our ids never need.
  const uris = (x509.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice('URI:'.length));
  const identities = uris.filter((uri) => uri.startsWith(`spiffe://${AGENT_TRUST_DOMAIN}/`));
  const [spiffeId, ...others] = identities;
  if (!spiffeId || others.length > 0) {
    throw new AgentIdentityError(
      spiffeId
        ? 'the certificate carries more than one agent identity'
        : 'the certificate carries no agent identity',
    );
  }
  const match = AGENT_SPIFFE_ID.exec(spiffeId);
  if (!match) throw new AgentIdentityError(`"${spiffeId}" is not a valid agent identity`);
  return {
    tenantId: match[1]!,
    clusterId: match[2]!,
    spiffeId,
    notAfter: certificateValidity(x509).notAfter,
    fingerprintSha256: x509.fingerprint256,
  };
}

export interface CreateServerCertificateInput {
  caCertPem: string;
  caKeyPem: string;
  hostnames: string[];
  ips: string[];
  validityDays?: number;
  rsaBits?: RsaBits;
  now?: Date;
}

export interface CreatedServerCertificate extends IssuedCertificate {
  /** PKCS#8 PEM of the new server key. */
  privateKeyPem: string;
  /** Server certificate then the CA: what a TLS server presents. */
  certChainPem: string;
}

/** TLS server certificate for the controller's gRPC endpoint: EKU serverAuth, DNS and IP SANs. */
export async function createServerCertificate(
  input: CreateServerCertificateInput,
): Promise<CreatedServerCertificate> {
  const hostnames = input.hostnames.map((hostname) => hostname.toLowerCase());
  for (const hostname of hostnames) assertHostname(hostname);
  for (const ip of input.ips) {
    if (isIP(ip) === 0) throw new InvalidPkiInputError(`"${ip}" is not an IPv4 or IPv6 address`);
  }
  const commonName = hostnames[0] ?? input.ips[0];
  if (commonName === undefined)
    throw new InvalidPkiInputError('a server certificate needs at least one hostname or IP');
  const now = input.now ?? new Date();
  const ca = loadSigningAuthority(input.caCertPem, input.caKeyPem, now);
  const { notBefore, notAfter } = validityWindow(
    now,
    input.validityDays ?? DEFAULT_SERVER_CERT_VALIDITY_DAYS,
    ca,
  );
  const { privateKeyPem, publicKeyPem } = await generateRsaKeyPair(input.rsaBits ?? 2048);
  const issued = issueCertificate({
    subject: [utf8NameAttribute('O', 'Lattice'), utf8NameAttribute('CN', commonName)],
    subjectPublicKey: createPublicKey(publicKeyPem),
    issuer: ca,
    notBefore,
    notAfter,
    extensions: [
      { name: 'basicConstraints', critical: true, cA: false },
      // keyEncipherment: TLS 1.2 RSA key exchange still exists in clients we do not control.
      { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...hostnames.map((hostname) => ({ type: 2, value: hostname })),
          ...input.ips.map((ip) => ({ type: 7, ip })),
        ],
      },
    ],
  });
  return {
    ...issued,
    privateKeyPem,
    certChainPem: issued.certificatePem + parseCertificate(input.caCertPem).toString(),
  };
}

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function assertHostname(hostname: string): void {
  const labels = hostname.split('.');
  const valid =
    hostname.length <= 253 &&
    labels.every((label, index) => (index === 0 && label === '*') || DNS_LABEL.test(label));
  if (!valid) throw new InvalidPkiInputError(`"${hostname}" is not a valid DNS name`);
}
