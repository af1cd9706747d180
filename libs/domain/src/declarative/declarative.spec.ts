import {
  API_VERSION,
  APPLY_ORDER,
  DECLARATIVE_KINDS,
  KIND_INFO,
  declarativeJsonSchema,
  diffValues,
  parseDocument,
  planApply,
  refKey,
  resolveKind,
  sameJson,
  settlePlan,
} from './index';

const gns = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'shop' }) => ({
  apiVersion: API_VERSION,
  kind: 'GlobalNamespace',
  metadata,
  spec,
});
const matchConditions = [
  { cluster: { type: 'EXACT', value: 'east' }, namespace: { type: 'EXACT', value: 'shop' } },
];

describe('parseDocument', () => {
  it('reads a document into its reference, spec and expected version', () => {
    const parsed = parseDocument(
      gns({ domain: 'shop.local', matchConditions }, { name: 'shop', version: 3 }),
    );
    expect(parsed).toEqual({
      ok: true,
      resource: {
        kind: 'GlobalNamespace',
        name: 'shop',
        spec: { domain: 'shop.local', matchConditions },
        expectedVersion: 3,
      },
    });
  });

  it('names every bad field: unknown fields, bad names, wrong types', () => {
    const parsed = parseDocument(gns({ domain: 7, matchConditons: [] }, { name: 'Shop' }));
    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? [] : parsed.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: 'metadata.name', message: expect.stringContaining('DNS label') },
        { field: 'spec.domain', message: expect.any(String) },
        { field: 'spec', message: 'unknown field matchConditons' },
      ]),
    );
  });

  it('refuses another apiVersion or kind before looking further', () => {
    expect(parseDocument({ ...gns({}), apiVersion: 'v1' })).toEqual({
      ok: false,
      errors: [{ field: 'apiVersion', message: 'must be lattice.dev/v1alpha1, got "v1"' }],
    });
    expect(parseDocument({ ...gns({}), kind: 'Deployment' })).toMatchObject({
      ok: false,
      errors: [{ field: 'kind' }],
    });
    expect(parseDocument('text')).toMatchObject({ ok: false, errors: [{ field: '(document)' }] });
    expect(parseDocument({ ...gns({}), apiVersion: 'v1', extra: 1 })).toMatchObject({
      ok: false,
      errors: [
        { field: 'apiVersion' },
        { field: 'extra', message: expect.stringMatching(/^is not a document field/) },
      ],
    });
  });

  it('needs metadata.globalNamespace for a TrafficPolicy and refuses it elsewhere', () => {
    const tp = { apiVersion: API_VERSION, kind: 'TrafficPolicy', metadata: { name: 'cart' }, spec: {} };
    expect(parseDocument(tp)).toMatchObject({ ok: false, errors: [{ field: 'metadata.globalNamespace' }] });
    expect(parseDocument({ ...tp, metadata: { name: 'cart', globalNamespace: 'shop' } })).toMatchObject({
      ok: true,
      resource: { kind: 'TrafficPolicy', globalNamespace: 'shop', name: 'cart' },
    });
    expect(
      parseDocument(gns({ domain: 'a.b', matchConditions }, { name: 'shop', globalNamespace: 'x' })),
    ).toMatchObject({
      ok: false,
      errors: [{ field: 'metadata', message: 'unknown field globalNamespace' }],
    });
  });

  it('lets SLO fields it does not know through to the controller, which checks them as POST /v1/slos does', () => {
    const slo = {
      apiVersion: API_VERSION,
      kind: 'SLO',
      metadata: { name: 'a' },
      spec: {
        globalNamespace: 'shop',
        services: ['cart'],
        indicators: [{ kind: 'ERROR_RATE' }],
        targetPercent: 99,
        window: '30d',
        noDataPolicy: 'GOOD',
      },
    };
    expect(parseDocument(slo)).toMatchObject({ ok: true, resource: { spec: { noDataPolicy: 'GOOD' } } });
  });
});

describe('AutoscalingPolicy documents', () => {
  const policy = {
    mode: 'EFFICIENCY',
    instances: { min: 1, max: 5, default: 2 },
    triggers: [{ metric: 'CPU', scaleUp: 800, scaleDown: 300 }],
    windowSeconds: 60,
    gracePeriodSeconds: 120,
  };
  const asp = (spec: Record<string, unknown>, metadata: Record<string, unknown>) => ({
    apiVersion: API_VERSION,
    kind: 'AutoscalingPolicy',
    metadata,
    spec,
  });

  it('is named by its Global Namespace and service, and keeps only the fields the document names', () => {
    expect(parseDocument(asp(policy, { name: 'cart' }))).toMatchObject({
      ok: false,
      errors: [{ field: 'metadata.globalNamespace' }],
    });
    // The schema's defaults (stepsUp, recommendOnly, targets) are not fields the document names.
    expect(parseDocument(asp(policy, { name: 'cart', globalNamespace: 'shop' }))).toEqual({
      ok: true,
      resource: { kind: 'AutoscalingPolicy', globalNamespace: 'shop', name: 'cart', spec: policy },
    });
  });

  it('checks the spec with the REST schema, naming every bad field', () => {
    const parsed = parseDocument(
      asp(
        {
          ...policy,
          mode: 'FAST',
          instances: { min: 1, max: 5.5, default: 2 },
          triggers: [{ metric: 'CPU', scaleUp: 800, scaleDown: 300, window: 60 }],
          recommendonly: true,
        },
        { name: 'cart', globalNamespace: 'shop' },
      ),
    );
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      { field: 'spec.mode', message: 'must be EFFICIENCY or PERFORMANCE' },
      { field: 'spec.instances.max', message: 'must be a whole number' },
      { field: 'spec.triggers[0]', message: 'unknown field window' },
      { field: 'spec', message: 'unknown field recommendonly' },
    ]);
  });

  it('defaults to what the REST API fills in, and applies after its Global Namespace', () => {
    expect(KIND_INFO.AutoscalingPolicy.defaults).toEqual({ recommendOnly: false, targets: [] });
    expect(APPLY_ORDER.indexOf('AutoscalingPolicy')).toBeGreaterThan(APPLY_ORDER.indexOf('GlobalNamespace'));
    const plan = planApply({
      kind: 'AutoscalingPolicy',
      label: 'asp',
      named: policy,
      live: null,
      applied: null,
      force: false,
    });
    expect(plan.spec).toEqual({ ...policy, recommendOnly: false, targets: [] });
  });

  it('publishes the spec schema with its bounds and defaults', () => {
    const schema = declarativeJsonSchema('AutoscalingPolicy') as {
      required: string[];
      properties: {
        metadata: { required: string[] };
        spec: {
          required: string[];
          properties: { recommendOnly: { default: boolean }; windowSeconds: { maximum: number } };
        };
      };
    };
    expect(schema.properties.metadata.required.sort()).toEqual(['globalNamespace', 'name']);
    expect(schema.properties.spec.required.sort()).toEqual([
      'gracePeriodSeconds',
      'instances',
      'mode',
      'triggers',
      'windowSeconds',
    ]);
    expect(schema.properties.spec.properties.recommendOnly.default).toBe(false);
    expect(schema.properties.spec.properties.windowSeconds.maximum).toBe(3600);
  });
});

describe('kinds and references', () => {
  it('resolves plural, singular, short and exact spellings', () => {
    expect(['gns', 'globalnamespaces', 'GlobalNamespace', 'globalnamespace'].map(resolveKind)).toEqual(
      Array(4).fill('GlobalNamespace'),
    );
    expect(resolveKind('tp')).toBe('TrafficPolicy');
    expect(['asp', 'autoscalingpolicies', 'AutoscalingPolicy', 'autoscalingpolicy'].map(resolveKind)).toEqual(
      Array(4).fill('AutoscalingPolicy'),
    );
    expect(DECLARATIVE_KINDS.filter((kind) => KIND_INFO[kind].scopedByGlobalNamespace)).toEqual([
      'TrafficPolicy',
      'AutoscalingPolicy',
    ]);
    expect(resolveKind('deployments')).toBeUndefined();
  });

  it('keys references by kind, Global Namespace and name', () => {
    expect(refKey({ kind: 'TrafficPolicy', globalNamespace: 'shop', name: 'cart' })).toBe(
      'TrafficPolicy/shop/cart',
    );
    expect(refKey({ kind: 'SLO', name: 'a' })).toBe('SLO/a');
  });

  it('publishes a JSON Schema per kind that names the kind and refuses unknown top-level fields', () => {
    for (const kind of DECLARATIVE_KINDS) {
      const schema = declarativeJsonSchema(kind) as {
        properties: { kind: { const: string } };
        additionalProperties: boolean;
        $id: string;
      };
      expect(schema.properties.kind.const).toBe(kind);
      expect(schema.additionalProperties).toBe(false);
      expect(schema.$id).toBe(`https://lattice.dev/schemas/v1alpha1/${kind.toLowerCase()}.schema.json`);
    }
  });
});

describe('diffValues', () => {
  it('lists changed, added and removed leaves with paths, ignoring key order', () => {
    expect(
      diffValues(
        { a: 1, b: { c: [1, 2], d: 'x' }, gone: true },
        { b: { d: 'y', c: [1, 3, 4] }, a: 1, added: null },
      ),
    ).toEqual([
      { path: 'added', after: null },
      { path: 'b.c[1]', before: 2, after: 3 },
      { path: 'b.c[2]', after: 4 },
      { path: 'b.d', before: 'x', after: 'y' },
      { path: 'gone', before: true },
    ]);
    expect(sameJson({ a: 1, b: [{ x: 1, y: 2 }] }, { b: [{ y: 2, x: 1 }], a: 1 })).toBe(true);
  });
});

describe('planApply (server-side apply)', () => {
  const live = {
    version: 4,
    spec: { domain: 'shop.local', description: 'by hand', mtlsMode: 'STRICT', matchConditions },
  };

  it('creates with defaults for what the document leaves out', () => {
    const plan = planApply({
      kind: 'GlobalNamespace',
      label: 'gns',
      named: { domain: 'a.b', matchConditions },
      live: null,
      applied: null,
      force: false,
    });
    expect(plan.action).toBe('create');
    expect(plan.spec).toEqual({ domain: 'a.b', matchConditions, description: '', mtlsMode: 'STRICT' });
  });

  it('sets what the document names and keeps fields nobody applied', () => {
    const plan = planApply({
      kind: 'GlobalNamespace',
      label: 'gns',
      named: { domain: 'shop.local', matchConditions, mtlsMode: 'PERMISSIVE' },
      live,
      applied: null,
      force: false,
    });
    expect(plan.action).toBe('update');
    expect(plan.spec.description).toBe('by hand');
    expect(plan.changes).toEqual([{ path: 'mtlsMode', before: 'STRICT', after: 'PERMISSIVE' }]);
  });

  it('returns a field the last apply named and this one drops to its default', () => {
    const plan = planApply({
      kind: 'GlobalNamespace',
      label: 'gns',
      named: { domain: 'shop.local', matchConditions },
      live,
      applied: { appliedVersion: 4, appliedFields: ['description', 'domain', 'matchConditions'] },
      force: false,
    });
    expect(plan.changes).toEqual([{ path: 'description', before: 'by hand', after: '' }]);
  });

  it('drops an optional policy field the last apply named (no default: absent)', () => {
    const plan = planApply({
      kind: 'TrafficPolicy',
      label: 'tp',
      named: {},
      live: { version: 1, spec: { timeout: '5s' } },
      applied: { appliedVersion: 1, appliedFields: ['timeout'] },
      force: false,
    });
    expect(plan).toMatchObject({ action: 'update', spec: {}, changes: [{ path: 'timeout', before: '5s' }] });
  });

  it('is unchanged when the document says what is stored', () => {
    const plan = planApply({
      kind: 'GlobalNamespace',
      label: 'gns',
      named: live.spec,
      live,
      applied: { appliedVersion: 4, appliedFields: ['domain'] },
      force: false,
    });
    expect(plan).toMatchObject({ action: 'unchanged', changes: [] });
  });

  it('refuses a resource changed outside apply since the last apply, unless forced', () => {
    const input = {
      kind: 'GlobalNamespace' as const,
      label: 'GlobalNamespace/shop',
      named: live.spec,
      live,
      applied: { appliedVersion: 3, appliedFields: [] },
    };
    expect(() => planApply({ ...input, force: false })).toThrow(
      /changed outside apply since the last apply \(version 3, now 4\)/,
    );
    expect(planApply({ ...input, force: true }).action).toBe('unchanged');
  });

  it('refuses a document written for another version (metadata.version)', () => {
    expect(() =>
      planApply({
        kind: 'GlobalNamespace',
        label: 'g',
        named: live.spec,
        live,
        applied: null,
        expectedVersion: 2,
        force: true,
      }),
    ).toThrow(/is at version 4, not at metadata.version 2/);
    expect(() =>
      planApply({
        kind: 'GlobalNamespace',
        label: 'g',
        named: live.spec,
        live: null,
        applied: null,
        expectedVersion: 2,
        force: false,
      }),
    ).toThrow(/does not exist/);
  });

  it('settles on the stored form: a normalized spec equal to the live one is unchanged', () => {
    expect(settlePlan({ version: 1, spec: { timeout: '5s' } }, { timeout: '5s' }).action).toBe('unchanged');
    expect(settlePlan(null, { timeout: '5s' }).action).toBe('create');
  });
});
