import { CertificateError } from './errors';

export interface PemBlock {
  /** The text between BEGIN and END, e.g. `CERTIFICATE`. */
  label: string;
  der: Buffer;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes every PEM block in `text` (text outside blocks, e.g. openssl's "subject=" lines, is
 * ignored). Base64 is checked strictly: Buffer.from(..., 'base64') would skip garbage silently.
 */
export function decodePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const [, label, body, endLabel] = match as unknown as [string, string, string, string];
    if (label !== endLabel) throw new CertificateError(`PEM block BEGIN ${label} ends with END ${endLabel}`);
    const base64 = body.replace(/\s+/g, '');
    if (!STRICT_BASE64.test(base64)) throw new CertificateError(`PEM block ${label} is not valid base64`);
    blocks.push({ label, der: Buffer.from(base64, 'base64') });
  }
  return blocks;
}

export function encodePem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Splits a bundle into one normalised PEM string per certificate. */
export function splitCertificatePems(text: string): string[] {
  return decodePemBlocks(text)
    .filter((block) => block.label === 'CERTIFICATE')
    .map((block) => encodePem('CERTIFICATE', block.der));
}
