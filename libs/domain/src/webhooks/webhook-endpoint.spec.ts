import { validateWebhookEventTypes, validateWebhookUrl } from './webhook-endpoint';

describe('webhook endpoint validation', () => {
  it.each(['https://hooks.example.com/lattice', 'http://127.0.0.1:8080/hook?team=sre'])(
    'accepts %s',
    (url) => {
      expect(validateWebhookUrl(url)).toEqual([]);
    },
  );

  it.each([
    ['ftp://example.com/hook', /must use http or https, got ftp/],
    ['example.com/hook', /must be an absolute http\(s\) URL/],
    ['https://user:pass@example.com/hook', /must not carry credentials/],
    ['https://example.com/hook#x', /must not have a #fragment/],
    ['', /must be an http\(s\) URL/],
  ])('refuses %s, naming the field', (url, message) => {
    const [problem] = validateWebhookUrl(url);
    expect(problem!.field).toBe('url');
    expect(problem!.message).toMatch(message);
  });

  it('requires known event types', () => {
    expect(validateWebhookEventTypes(['slo.alert.fired'])).toEqual([]);
    expect(validateWebhookEventTypes([])).toEqual([
      { field: 'eventTypes', message: expect.stringMatching(/at least one/) },
    ]);
    expect(validateWebhookEventTypes(['slo.alert.fired', 'nope'])).toEqual([
      { field: 'eventTypes[1]', message: expect.stringMatching(/must be one of/) },
    ]);
  });
});
