import { DomainError, type FieldError } from '../errors';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_DNS_LABEL_LENGTH = 63;
export const MAX_DNS_NAME_LENGTH = 253;

/** A DNS-1123 label as Kubernetes requires for namespace, Service and subset names. */
export function isDnsLabel(name: string): boolean {
  return name.length <= MAX_DNS_LABEL_LENGTH && DNS_LABEL.test(name);
}

/** A GNS service named in a path (`…/services/{service}/…`) must be a Kubernetes Service name: 400 otherwise. */
export function requireServiceName(service: string): void {
  if (!isDnsLabel(service))
    throw DomainError.validation([{ field: 'service', message: 'must be a service name (DNS label)' }]);
}

/** Kubernetes' own service DNS zone: a GNS under it would shadow or be shadowed by cluster DNS. */
const CLUSTER_DNS_ZONE = 'cluster.local';

/**
 * A GNS domain is the DNS suffix of its services (`<service>.<domain>`) and its SPIFFE trust
 * domain, so it must be a plain lowercase DNS name.
 */
export function validateGnsDomain(domain: string): FieldError[] {
  const error = (message: string): FieldError[] => [{ field: 'domain', message }];
  if (typeof domain !== 'string' || domain.length === 0) return error('is required');
  if (domain.endsWith('.'))
    return error('must not end with a dot (write "shop.example.com", not "shop.example.com.")');
  if (domain !== domain.toLowerCase()) return error('must be lowercase');
  // Every service host adds "<service>." in front, so leave room for at least a one-letter service.
  if (domain.length > MAX_DNS_NAME_LENGTH - 2)
    return error(`must be at most ${MAX_DNS_NAME_LENGTH - 2} characters`);
  const labels = domain.split('.');
  if (labels.length < 2) return error('must have at least two labels (e.g. "shop.lattice.local")');
  for (const label of labels) {
    if (label.length === 0) return error('must not contain empty labels ("..")');
    if (label.length > MAX_DNS_LABEL_LENGTH)
      return error(`label "${label}" is longer than ${MAX_DNS_LABEL_LENGTH} characters`);
    if (!DNS_LABEL.test(label)) {
      return error(
        `label "${label}" must contain only lowercase letters, digits and "-", and start and end with a letter or digit`,
      );
    }
  }
  if (/^\d+$/.test(labels[labels.length - 1]))
    return error('must not end in an all-numeric label (it would look like an IP address)');
  if (
    domain === CLUSTER_DNS_ZONE ||
    domain.endsWith(`.${CLUSTER_DNS_ZONE}`) ||
    CLUSTER_DNS_ZONE.endsWith(`.${domain}`)
  ) {
    return error(
      `must not be "${CLUSTER_DNS_ZONE}", inside it or a parent of it: that zone belongs to Kubernetes service DNS`,
    );
  }
  return [];
}

/** A GNS name appears in Kubernetes object names in every member cluster: a DNS-1123 label. */
export function validateGnsName(name: string): FieldError[] {
  const error = (message: string): FieldError[] => [{ field: 'name', message }];
  if (typeof name !== 'string' || name.length === 0) return error('is required');
  if (name.length > MAX_DNS_LABEL_LENGTH) return error(`must be at most ${MAX_DNS_LABEL_LENGTH} characters`);
  if (!DNS_LABEL.test(name)) {
    return error(
      'must contain only lowercase letters, digits and "-", and start and end with a letter or digit',
    );
  }
  return [];
}
