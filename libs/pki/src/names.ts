import { InvalidPkiInputError } from './errors';

// SPIFFE ID grammar: trust domain is lower-case letters, digits, '.', '-', '_'; path segments add upper case.
const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/;
const PATH_SEGMENT = /^[A-Za-z0-9._-]{1,128}$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function assertTrustDomain(trustDomain: string): void {
  if (typeof trustDomain !== 'string' || !TRUST_DOMAIN.test(trustDomain)) {
    throw new InvalidPkiInputError(
      `trust domain "${String(trustDomain)}" must be 1-255 characters of a-z, 0-9, '.', '-' or '_'`,
    );
  }
}

/** Ids and names that become one segment of a SPIFFE/URI path. */
export function assertPathSegment(what: string, value: string): void {
  if (typeof value !== 'string' || !PATH_SEGMENT.test(value) || value === '.' || value === '..') {
    throw new InvalidPkiInputError(
      `${what} "${String(value)}" must be 1-128 characters of A-Z, a-z, 0-9, '.', '-' or '_'`,
    );
  }
}

/** Free text that goes into a certificate subject (tenant and GNS display names). */
export function assertDisplayName(what: string, value: string): void {
  if (
    typeof value !== 'string' ||
    value.trim() === '' ||
    value.length > 128 ||
    CONTROL_CHARACTERS.test(value)
  ) {
    throw new InvalidPkiInputError(`${what} must be 1-128 printable characters`);
  }
}
