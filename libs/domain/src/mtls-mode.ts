/** How a GNS's workloads accept traffic: mTLS only, or mTLS and plain text. */
export type MtlsMode = 'STRICT' | 'PERMISSIVE';
