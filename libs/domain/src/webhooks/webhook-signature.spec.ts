import { createHmac } from 'node:crypto';
import { signWebhookBody, verifyWebhookSignature } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"type":"slo.alert.fired"}';

  it('signs "<t>.<body>" with HMAC-SHA256 under the secret', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signWebhookBody(secret, 1_700_000_000, body)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies its own signature within the tolerance', () => {
    const header = signWebhookBody(secret, 1_700_000_000, body);
    expect(verifyWebhookSignature(header, secret, body, 1_700_000_100)).toBe(true);
  });

  it.each([
    [
      'another secret',
      (header: string) => verifyWebhookSignature(header, 'whsec_other', body, 1_700_000_000),
    ],
    ['a changed body', (header: string) => verifyWebhookSignature(header, secret, `${body} `, 1_700_000_000)],
    [
      'an old timestamp (replay)',
      (header: string) => verifyWebhookSignature(header, secret, body, 1_700_000_301),
    ],
    [
      'a changed timestamp',
      (header: string) =>
        verifyWebhookSignature(header.replace('t=1700000000', 't=1700000001'), secret, body, 1_700_000_000),
    ],
    ['no header', () => verifyWebhookSignature(undefined, secret, body, 1_700_000_000)],
    ['a malformed header', () => verifyWebhookSignature('v1=zz', secret, body, 1_700_000_000)],
  ])('refuses %s', (_case, check) => {
    expect(check(signWebhookBody(secret, 1_700_000_000, body))).toBe(false);
  });

  it('accepts any of several v1 entries (secret rotation on the receiver side)', () => {
    const header = signWebhookBody(secret, 1_700_000_000, body);
    const withOld = header.replace(',v1=', `,v1=${'0'.repeat(64)},v1=`);
    expect(verifyWebhookSignature(withOld, secret, body, 1_700_000_000)).toBe(true);
  });
});
