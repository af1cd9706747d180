import { shopContext } from './policy.test-fixtures';
import { validateSecurityPolicy } from './validate-security-policy';

function check(input: unknown) {
  const result = validateSecurityPolicy(input, shopContext());
  return {
    ...result,
    byField: Object.fromEntries(result.errors.map((error) => [error.field, error.message])),
  };
}

describe('validateSecurityPolicy', () => {
  it('accepts default DENY with ALLOW rules and names unnamed rules', () => {
    const result = check({
      defaultAction: 'DENY',
      services: [{ service: 'payments', mtlsMode: 'STRICT', serviceAccount: 'payments-sa' }],
      rules: [
        {
          action: 'ALLOW',
          from: ['cart'],
          to: 'payments',
          methods: ['POST'],
          paths: ['/charge', '/refunds/*'],
        },
        { name: 'anyone-reads-reviews', action: 'ALLOW', from: ['*'], to: 'reviews', methods: ['GET'] },
      ],
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.policy?.rules?.map((rule) => rule.name)).toEqual(['rule-0', 'anyone-reads-reviews']);
  });

  it('refuses services outside the GNS in rules and overrides', () => {
    const { byField } = check({
      defaultAction: 'ALLOW',
      services: [{ service: 'grafana', mtlsMode: 'PERMISSIVE' }],
      rules: [{ action: 'DENY', from: ['grafana', 'cart'], to: 'billing' }],
    });
    expect(byField['services[0].service']).toBe(
      '"grafana" is not a service of global namespace "shop" (its services: cart, payments, reviews)',
    );
    expect(byField['rules[0].from[0]']).toMatch(/"grafana" is not a service/);
    expect(byField['rules[0].to']).toMatch(/"billing" is not a service/);
  });

  it('refuses duplicate rules and ALLOW rules a DENY rule makes dead', () => {
    const { byField } = check({
      defaultAction: 'ALLOW',
      rules: [
        { action: 'ALLOW', from: ['cart', 'reviews'], to: 'payments', methods: ['GET'] },
        { action: 'ALLOW', from: ['reviews', 'cart'], to: 'payments', methods: ['GET'] },
        { action: 'DENY', from: ['*'], to: 'payments' },
        { action: 'DENY', from: ['cart'], to: 'reviews', methods: ['POST'] },
        { action: 'ALLOW', from: ['cart'], to: 'reviews' },
      ],
    });
    expect(byField['rules[1]']).toBe('duplicates rules[0] (same action, callers, target, methods and paths)');
    expect(byField['rules[2]']).toMatch(
      /rules\[1\] allows what rules\[2\] denies for payments; DENY is evaluated first/,
    );
    // A narrower DENY (POST only) leaves the broader ALLOW meaningful.
    expect(byField['rules[4]']).toBeUndefined();
  });

  it('checks names, methods, paths, service accounts and selectors', () => {
    const { byField } = check({
      defaultAction: 'DENY',
      services: [{ service: 'cart', serviceAccount: 'Cart_SA', workloadLabels: {} }, { service: 'cart' }],
      rules: [
        {
          name: 'x',
          action: 'ALLOW',
          from: ['*', 'cart'],
          to: 'cart',
          methods: ['get'],
          paths: ['api', '/a*b'],
        },
        { name: 'x', action: 'ALLOW', from: ['cart', 'cart'], to: 'payments' },
      ],
    });
    expect(byField['services[0].serviceAccount']).toMatch(/service account name/);
    expect(byField['services[0].workloadLabels']).toMatch(/at least one label/);
    expect(byField['services[1].service']).toBe('"cart" is listed twice');
    expect(byField['rules[0].from']).toMatch(/list it alone/);
    expect(byField['rules[0].methods[0]']).toMatch(/"get" is not an HTTP method/);
    expect(byField['rules[0].paths[0]']).toMatch(/must be a path/);
    expect(byField['rules[0].paths[1]']).toMatch(/must be a path/);
    expect(byField['rules[1].name']).toBe('"x" is used by another rule');
    expect(byField['rules[1].from[1]']).toBe('"cart" is listed twice');
  });

  it('refuses a bad shape with field paths', () => {
    expect(check({ defaultAction: 'MAYBE' }).byField.defaultAction).toBe('must be ALLOW or DENY');
    expect(
      check({ defaultAction: 'ALLOW', rules: [{ action: 'ALLOW', from: [], to: 'cart' }] }).byField[
        'rules[0].from'
      ],
    ).toMatch(/at least one calling service/);
  });

  it('warns about identity rules on PERMISSIVE services and DENY rules that change nothing', () => {
    const result = check({
      defaultAction: 'DENY',
      services: [{ service: 'cart', mtlsMode: 'PERMISSIVE' }],
      rules: [
        { action: 'ALLOW', from: ['reviews'], to: 'cart' },
        { action: 'DENY', from: ['cart'], to: 'payments' },
      ],
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      {
        field: 'rules[0]',
        message: expect.stringMatching(/plain-text callers.*ALLOW rules never match them/),
      },
      { field: 'rules[1]', message: 'payments allows nobody anyway (default DENY and no ALLOW rule for it)' },
    ]);
  });
});
