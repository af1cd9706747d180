import { shopContext } from './policy.test-fixtures';
import { validateTrafficPolicy } from './validate-traffic-policy';

const subsets = [
  { name: 'v1', labels: { version: 'v1' } },
  { name: 'v2', labels: { version: 'v2' } },
];
const canary = {
  subsets,
  routes: [
    {
      destinations: [
        { subset: 'v1', weight: 90 },
        { subset: 'v2', weight: 10 },
      ],
    },
  ],
};

function fields(service: string, input: unknown): Record<string, string> {
  const result = validateTrafficPolicy(service, input, shopContext());
  return Object.fromEntries(result.errors.map((error) => [error.field, error.message]));
}

describe('validateTrafficPolicy', () => {
  it('accepts a 90/10 canary and normalises it (route names, durations)', () => {
    const result = validateTrafficPolicy(
      'cart',
      {
        ...canary,
        timeout: '1500ms',
        retries: { attempts: 3, perTryTimeout: '0.5s', retryOn: ['5xx', '503'] },
      },
      shopContext(),
    );
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.policy).toEqual({
      subsets,
      routes: [
        {
          name: 'route-0',
          destinations: [
            { subset: 'v1', weight: 90 },
            { subset: 'v2', weight: 10 },
          ],
        },
      ],
      timeout: '1500ms',
      retries: { attempts: 3, perTryTimeout: '500ms', retryOn: ['5xx', '503'] },
    });
  });

  it('refuses weights that do not sum to 100, naming the route', () => {
    const errors = fields('cart', {
      subsets,
      routes: [
        {
          destinations: [
            { subset: 'v1', weight: 90 },
            { subset: 'v2', weight: 5 },
          ],
        },
      ],
    });
    expect(errors['routes[0].destinations']).toBe('weights sum to 95; they must sum to 100');
  });

  it('requires weights when a route has several destinations, and 100 for a single one', () => {
    expect(
      fields('cart', {
        subsets,
        routes: [{ destinations: [{ subset: 'v1', weight: 100 }, { subset: 'v2' }] }],
      }),
    ).toHaveProperty(
      ['routes[0].destinations[1].weight'],
      'is required when a route has several destinations',
    );
    expect(
      fields('cart', { subsets, routes: [{ destinations: [{ subset: 'v1', weight: 50 }] }] }),
    ).toHaveProperty(['routes[0].destinations[0].weight']);
  });

  it('refuses unknown subsets and duplicate or empty subset definitions', () => {
    const errors = fields('cart', {
      subsets: [
        ...subsets,
        { name: 'v1', labels: { version: 'v3' } },
        { name: 'same', labels: { version: 'v2' } },
        { name: 'none', labels: {} },
      ],
      routes: [{ destinations: [{ subset: 'v9' }] }],
    });
    expect(errors['routes[0].destinations[0].subset']).toBe(
      'unknown subset "v9" (defined: none, same, v1, v2)',
    );
    expect(errors['subsets[2].name']).toBe('subset "v1" is defined twice');
    expect(errors['subsets[3].labels']).toBe('selects the same endpoints as subsets[1] ("v2")');
    expect(errors['subsets[4].labels']).toMatch(/at least one label/);
  });

  it('warns, but accepts, a subset no instance runs yet (blue/green prepared before the deploy)', () => {
    const result = validateTrafficPolicy(
      'cart',
      { subsets: [...subsets, { name: 'v3', labels: { version: 'v3' } }], routes: canary.routes },
      shopContext(),
    );
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      {
        field: 'subsets[2]',
        message: expect.stringMatching(/no pod of cart is labelled version=v3.*503/),
      },
    ]);
  });

  it('accepts v1 and v2 behind one Kubernetes service without a warning (split into per-version Services)', () => {
    const result = validateTrafficPolicy('reviews', canary, shopContext());
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('warns about pods a split leaves out and instances that cannot be split', () => {
    const context = shopContext();
    const [east] = context.services.get('reviews') ?? [];
    const withV3 = {
      ...east,
      endpointGroupLabels: [...east.endpointGroupLabels, { app: 'reviews', version: 'v3' }],
    };
    const uncovered = validateTrafficPolicy('reviews', canary, {
      ...context,
      services: new Map([...context.services, ['reviews', [withV3]]]),
    });
    expect(uncovered.errors).toEqual([]);
    expect(uncovered.warnings).toEqual([
      {
        field: 'subsets',
        message: expect.stringMatching(
          /reviews in cluster "east", namespace "shop" is split .* by subsets v1, v2; its pods labelled app=reviews,version=v3 are in none of them/,
        ),
      },
    ]);

    const withoutSelector = { ...east, selector: {} };
    const unsplittable = validateTrafficPolicy('reviews', canary, {
      ...context,
      services: new Map([...context.services, ['reviews', [withoutSelector]]]),
    });
    expect(unsplittable.warnings).toEqual([
      {
        field: 'subsets',
        message: expect.stringMatching(
          /runs pods of subsets v1, v2 next to other pods behind a Service without a pod selector/,
        ),
      },
    ]);
  });

  it('warns that routes do nothing for a service without HTTP ports', () => {
    const context = shopContext();
    const tcpOnly = { ...context, protocols: new Map([...context.protocols, ['cart', ['TCP']]]) };
    const result = validateTrafficPolicy('cart', { timeout: '2s' }, tcpOnly);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      { field: 'timeout', message: expect.stringMatching(/no HTTP, HTTP2 or GRPC port \(TCP\)/) },
    ]);
    expect(validateTrafficPolicy('cart', { timeout: '2s' }, context).warnings).toEqual([]);
  });

  it('refuses negative, malformed and absurd durations', () => {
    const errors = fields('cart', {
      timeout: '-1s',
      retries: { attempts: 2, perTryTimeout: '2d' },
      outlierDetection: {
        consecutiveErrors: 5,
        interval: '0s',
        baseEjectionTime: '48h',
        maxEjectionPercent: 50,
      },
      connectionPool: { tcp: { connectTimeout: '10m' } },
      fault: { delay: { fixedDelay: '5h', percentage: 10 } },
    });
    expect(errors.timeout).toMatch(/"-1s" is not a duration/);
    expect(errors['retries.perTryTimeout']).toMatch(/"2d" is not a duration/);
    expect(errors['outlierDetection.interval']).toBe('0s is outside 1ms..3600s');
    expect(errors['outlierDetection.baseEjectionTime']).toBe('48h is outside 1ms..86400s');
    expect(errors['connectionPool.tcp.connectTimeout']).toBe('10m is outside 1ms..300s');
    expect(errors['fault.delay.fixedDelay']).toBe('5h is outside 1ms..3600s');
  });

  it('refuses a per-try timeout longer than the timeout', () => {
    expect(
      fields('cart', { timeout: '1s', retries: { attempts: 2, perTryTimeout: '2s' } })[
        'retries.perTryTimeout'
      ],
    ).toMatch(/longer than the timeout 1s/);
  });

  it('refuses a service outside the GNS and clusters outside it in the failover order', () => {
    const errors = fields('grafana', {
      outlierDetection: {
        consecutiveErrors: 5,
        interval: '10s',
        baseEjectionTime: '30s',
        maxEjectionPercent: 50,
      },
      failover: ['west', 'other', 'west'],
    });
    expect(errors.service).toBe(
      '"grafana" is not a service of global namespace "shop" (its services: cart, payments, reviews)',
    );
    expect(errors['failover[1]']).toBe(
      '"other" is not a member cluster of global namespace "shop" (members: east, west)',
    );
    expect(errors['failover[2]']).toBe('cluster "west" is listed twice');
  });

  it('requires outlier detection for failover', () => {
    expect(fields('cart', { failover: ['west', 'east'] }).failover).toMatch(/needs outlierDetection/);
  });

  it('checks matches: last route catch-all, no catch-all before others, methods, header names, regexes, paths', () => {
    const errors = fields('cart', {
      subsets,
      routes: [
        { destinations: [{ subset: 'v1' }] },
        {
          match: [
            { headers: { 'X-User': { exact: 'beta' } } },
            { method: 'FETCH', path: { prefix: 'api' } },
            { headers: { cookie: { regex: '(?=x)' } } },
            {},
          ],
          destinations: [{ subset: 'v2' }],
        },
      ],
    });
    expect(errors['routes[0].match']).toMatch(/routes\[1\] and later would never be used/);
    expect(errors['routes[1].match']).toMatch(/the last route must have no match/);
    expect(errors['routes[1].match[0].headers.X-User']).toMatch(/lowercase/);
    expect(errors['routes[1].match[1].method']).toMatch(/"FETCH" is not an HTTP method/);
    expect(errors['routes[1].match[1].path']).toBe('must start with "/"');
    expect(errors['routes[1].match[2].headers.cookie']).toMatch(/RE2/);
    expect(errors['routes[1].match[3]']).toMatch(/at least one of headers, path, method/);
  });

  it('checks header and path regexes with RE2 semantics, as Envoy evaluates them', () => {
    const withRegex = (regex: string) =>
      fields('cart', {
        subsets,
        routes: [
          { match: [{ headers: { 'x-group': { regex } } }], destinations: [{ subset: 'v2' }] },
          { destinations: [{ subset: 'v1' }] },
        ],
      })['routes[0].match[0].headers.x-group'];
    // Valid RE2 (refused by the old JavaScript rules): flags and both named-group spellings.
    for (const accepted of ['(?i)^beta$', '(?P<g>x)', '(?<g>x)', 'a{1000}'])
      expect(withRegex(accepted)).toBeUndefined();
    // Invalid in RE2 although JavaScript accepts them.
    expect(withRegex('a{1001}')).toMatch(/regex refused: does not compile as RE2: .*invalid repeat count/);
    expect(withRegex('(?<=x)y')).toBe(
      'regex refused: lookarounds ((?=…), (?!…), (?<=…), (?<!…)) are not supported: Envoy matches with RE2',
    );
    expect(withRegex('(a)\\1')).toBe(
      'regex refused: backreferences (\\1, \\k<name>) are not supported: Envoy matches with RE2',
    );
    const path = fields('cart', {
      subsets,
      routes: [
        { match: [{ path: { regex: '/api/(?!internal)' } }], destinations: [{ subset: 'v2' }] },
        { destinations: [{ subset: 'v1' }] },
      ],
    });
    expect(path['routes[0].match[0].path']).toMatch(/lookarounds/);
  });

  it('checks fault injection and retry conditions', () => {
    const errors = fields('cart', {
      fault: { abort: { httpStatus: 200, percentage: 5 } },
      retries: { attempts: 2, retryOn: ['sometimes'] },
      routes: [{ destinations: [{}], fault: {} }],
    });
    expect(errors['fault.abort.httpStatus']).toBe('200 is not an HTTP error status (400..599)');
    expect(errors['retries.retryOn[0]']).toMatch(/"sometimes" is not a retry condition/);
    expect(errors['routes[0].fault']).toBe('must hold a delay, an abort or both');
  });

  it('reports shape errors with the field path and refuses unknown fields', () => {
    expect(fields('cart', { retrys: { attempts: 3 } })).toEqual({ retrys: 'is not a known field' });
    expect(fields('cart', { retries: { attempts: 3, tries: 1 } })).toEqual({
      'retries.tries': 'is not a known field',
    });
    expect(fields('cart', { subsets: [{ name: 'v1', labels: { version: 'x'.repeat(64) } }] })).toEqual({
      'subsets[0].labels.version': expect.stringMatching(/Kubernetes label value/),
    });
    expect(fields('cart', { subsets: [{ name: 'v1', labels: { 'bad key!': 'v1' } }] })).toHaveProperty([
      'subsets[0].labels.bad key!',
    ]);
    expect(fields('cart', { routes: [{ destinations: [{ weight: 'ninety' }] }] })).toHaveProperty([
      'routes[0].destinations[0].weight',
    ]);
    expect(
      fields('cart', {
        outlierDetection: {
          consecutiveErrors: -1,
          interval: '1s',
          baseEjectionTime: '1s',
          maxEjectionPercent: 150,
        },
      }),
    ).toMatchObject({
      'outlierDetection.consecutiveErrors': 'must not be negative',
      'outlierDetection.maxEjectionPercent': 'must be between 0 and 100',
    });
    expect(fields('cart', {})).toHaveProperty(['(body)']);
  });
});
