import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { signWebhookBody, WEBHOOK_SIGNATURE_HEADER } from '@lattice/domain';
import { nonPublicReason, refusalText } from './webhook-target.util';

export interface SendResult {
  ok: boolean;
  responseCode: number | null;
  error: string | null;
  /** The target is not a public address: retrying cannot help. */
  refused?: boolean;
}

export interface WebhookRequest {
  url: string;
  secret: string;
  deliveryId: string;
  eventType: string;
  body: string;
  timeoutMs: number;
  nowSeconds: number;
  /** When false, receivers on loopback, private, link-local and other non-public addresses are refused. */
  allowPrivateNetworks: boolean;
}

/** How much of a failing receiver's answer is kept for the deliveries API. */
const MAX_ERROR_BODY_CHARS = 500;

class RefusedTargetError extends Error {}

/**
 * POSTs one signed delivery. Redirects are not followed (a receiver that moved must be updated, and
 * following them would let a URL bounce the request elsewhere); the whole exchange is bounded by
 * `timeoutMs`; only the start of a failing answer is read. Unless private networks are allowed, the
 * address is checked after DNS resolution, at connect time, so a name cannot be re-pointed at an
 * internal address between a check and the request.
 */
export function sendWebhook(request: WebhookRequest): Promise<SendResult> {
  const url = new URL(request.url);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const literalReason = request.allowPrivateNetworks ? null : nonPublicReason(hostname);
  if (literalReason) return Promise.resolve(refused(literalReason));
  return new Promise((resolve) => {
    let settled = false;
    // Called only from events and the timer, all after `timer` below is set.
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const lookup: net.LookupFunction = (host, options, callback) => {
      dns.lookup(host, { ...options, all: true }, (error, addresses) => {
        if (error) return callback(error, '', 0);
        const list = addresses as dns.LookupAddress[];
        const denied = request.allowPrivateNetworks
          ? undefined
          : list.map((entry) => nonPublicReason(entry.address)).find((reason) => reason !== null);
        if (denied) return callback(new RefusedTargetError(`${host}: ${denied}`), '', 0);
        if ((options as dns.LookupOptions).all)
          return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
        return callback(null, list[0]!.address, list[0]!.family);
      });
    };
    const client = url.protocol === 'https:' ? https : http;
    const outgoing = client.request(
      url,
      {
        method: 'POST',
        lookup,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(request.body),
          'User-Agent': 'Lattice-Webhooks/1',
          'X-Lattice-Event': request.eventType,
          'X-Lattice-Delivery': request.deliveryId,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(request.secret, request.nowSeconds, request.body),
        },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          response.resume();
          response.on('end', () => finish({ ok: true, responseCode: status, error: null }));
          response.on('error', () => finish({ ok: true, responseCode: status, error: null }));
          return;
        }
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          if (text.length >= MAX_ERROR_BODY_CHARS) response.destroy();
        });
        const done = () => {
          const excerpt = text.slice(0, MAX_ERROR_BODY_CHARS).trim();
          const redirect =
            status >= 300 && status < 400
              ? ` (redirects are not followed${response.headers.location ? `: ${response.headers.location}` : ''})`
              : '';
          finish({
            ok: false,
            responseCode: status,
            error: `receiver answered ${status}${redirect}${excerpt ? `: ${excerpt}` : ''}`,
          });
        };
        response.on('end', done);
        response.on('close', done);
      },
    );
    const timer = setTimeout(() => {
      outgoing.destroy();
      finish({ ok: false, responseCode: null, error: `no answer within ${request.timeoutMs} ms` });
    }, request.timeoutMs);
    outgoing.on('error', (error) => {
      finish(
        error instanceof RefusedTargetError
          ? refused(error.message)
          : { ok: false, responseCode: null, error: error.message },
      );
    });
    outgoing.end(request.body);
  });
}

function refused(reason: string): SendResult {
  return { ok: false, responseCode: null, error: refusalText(reason), refused: true };
}
