import type { FieldError } from '../errors';

/** What a webhook endpoint can subscribe to. */
export const WEBHOOK_EVENT_TYPES = ['slo.alert.fired', 'slo.alert.resolved'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * A receiver URL: absolute http(s), no credentials (they would be logged and shown back), no
 * fragment. Any host is allowed: tenants run receivers wherever they like.
 */
export function validateWebhookUrl(url: unknown, field = 'url'): FieldError[] {
  if (typeof url !== 'string' || url.trim() === '') return [{ field, message: 'must be an http(s) URL' }];
  if (url.length > MAX_WEBHOOK_URL_LENGTH)
    return [{ field, message: `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters` }];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [{ field, message: `must be an absolute http(s) URL, got ${JSON.stringify(url)}` }];
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return [{ field, message: `must use http or https, got ${parsed.protocol.replace(/:$/, '')}` }];
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return [
      { field, message: 'must not carry credentials; authenticate receivers with the signature header' },
    ];
  }
  if (parsed.hash !== '') return [{ field, message: 'must not have a #fragment' }];
  return [];
}

export function validateWebhookEventTypes(eventTypes: unknown, field = 'eventTypes'): FieldError[] {
  if (!Array.isArray(eventTypes) || eventTypes.length === 0) {
    return [{ field, message: `must list at least one of ${WEBHOOK_EVENT_TYPES.join(', ')}` }];
  }
  return eventTypes.flatMap((type, index) =>
    (WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(type)
      ? []
      : [{ field: `${field}[${index}]`, message: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` }],
  );
}
