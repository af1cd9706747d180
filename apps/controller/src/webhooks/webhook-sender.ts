import { signWebhookBody, WEBHOOK_SIGNATURE_HEADER } from '@lattice/domain';

export interface SendResult {
  ok: boolean;
  responseCode: number | null;
  error: string | null;
}

/** How much of a failing receiver's answer is kept for the deliveries API. */
const MAX_ERROR_BODY_CHARS = 500;

/**
 * POSTs one signed delivery. Redirects are not followed (a receiver that moved must be updated,
 * and following them would let a URL bounce the request elsewhere); the whole exchange is bounded
 * by `timeoutMs`; only the start of a failing answer is read.
 */
export async function sendWebhook(input: {
  url: string;
  secret: string;
  deliveryId: string;
  eventType: string;
  body: string;
  timeoutMs: number;
  nowSeconds: number;
}): Promise<SendResult> {
  try {
    const response = await fetch(input.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(input.timeoutMs),
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Lattice-Webhooks/1',
        'X-Lattice-Event': input.eventType,
        'X-Lattice-Delivery': input.deliveryId,
        [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(input.secret, input.nowSeconds, input.body),
      },
      body: input.body,
    });
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel();
      return { ok: true, responseCode: response.status, error: null };
    }
    const text = (await response.text().catch(() => '')).slice(0, MAX_ERROR_BODY_CHARS);
    return { ok: false, responseCode: response.status, error: `receiver answered ${response.status}${text ? `: ${text}` : ''}` };
  } catch (error) {
    const reason = error instanceof Error ? (error.name === 'TimeoutError' ? `no answer within ${input.timeoutMs} ms` : causeOf(error)) : String(error);
    return { ok: false, responseCode: null, error: reason };
  }
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
