import { isNonPublicAddress, sendWebhook } from './webhook-sender.util';

describe('webhook targets', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.5',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
  ])('treats %s as non-public', (address) => expect(isNonPublicAddress(address)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', 'hooks.example.com'])(
    'treats %s as public (names are checked after resolution)',
    (address) => {
      expect(isNonPublicAddress(address)).toBe(false);
    },
  );

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
      responseCode: null,
      error: expect.stringMatching(
        /^refused: ::1 is not a public address \(LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true/,
      ),
    });
  });
});
