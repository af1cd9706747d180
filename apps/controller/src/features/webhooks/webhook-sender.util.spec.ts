import { sendWebhook } from './webhook-sender.util';

describe('sendWebhook', () => {
  it('refuses a private receiver without connecting unless private networks are allowed', async () => {
    const result = await sendWebhook({
      url: 'http://[::1]:9/hook',
      secret: 's',
      deliveryId: 'd',
      eventType: 'webhook.test',
      body: '{}',
      timeoutMs: 1000,
      nowSeconds: 0,
      allowPrivateNetworks: false,
    });
    expect(result).toEqual({
      ok: false,
      refused: true,
      responseCode: null,
      error: expect.stringMatching(
        /^refused: ::1 is in the loopback range, not a public address \(LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true/,
      ),
    });
  });
});
