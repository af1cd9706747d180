/**
 * @lattice/pki: the certificate authorities of Lattice, framework-free. Per-GNS roots and
 * in-cluster intermediates (Istio plug-in CA material), trust bundles, the staged root-rotation
 * state machine, the agent identity CA, and envelope encryption for CA keys at rest.
 *
 * Only the create* functions return private keys (freshly generated ones, to be sealed or handed
 * to their owner), and openPrivateKey returns the key it was asked to unseal for signing.
 */
export * from './errors';
export * from './envelope';
export { SUPPORTED_RSA_BITS, type RsaBits } from './keys';
export { splitCertificatePems } from './pem';
export {
  CLOCK_SKEW_ALLOWANCE_MS,
  certificateValidity,
  nativeRsaSha256Signer,
  parseCertificate,
  type IssuedCertificate,
} from './certificate';
export { createCsr, MAX_RSA_BITS, type ParsedCsr, type RequestedExtension } from './csr';
export * from './gns-ca';
export * from './intermediate';
export * from './intermediate-plan';
export * from './trust-bundle';
export * from './rotation';
export * from './agent-ca';
