import { randomBytes } from 'node:crypto';

/** The associated data a webhook signing secret is sealed with: it only opens for its own endpoint. */
export function webhookSecretAssociatedData(tenantId: string, webhookId: string): string {
  return `tenant:${tenantId}/webhook:${webhookId}`;
}

/** A new signing secret (shown once) and the hint shown afterwards. */
export function newWebhookSecret(): { secret: string; hint: string } {
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  return { secret, hint: `whsec_…${secret.slice(-4)}` };
}
