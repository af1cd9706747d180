import { validateGnsDomain, validateGnsName } from './gns-identity';

describe('validateGnsDomain', () => {
  it.each(['shop.lattice.local', 'a.b', 'payments-eu.example.com', `${'a'.repeat(63)}.example.com`, 'x1.io'])(
    'accepts %s',
    (domain) => {
      expect(validateGnsDomain(domain)).toEqual([]);
    },
  );

  it.each([
    ['', 'is required'],
    ['shop', 'at least two labels'],
    ['shop.example.com.', 'must not end with a dot'],
    ['Shop.example.com', 'lowercase'],
    ['shop..example.com', 'empty labels'],
    [`${'a'.repeat(64)}.example.com`, 'longer than 63'],
    [`${'abcdefghi.'.repeat(25)}com`, 'at most 251'],
    ['-shop.example.com', 'start and end with a letter or digit'],
    ['shop-.example.com', 'start and end with a letter or digit'],
    ['shop_1.example.com', 'only lowercase letters'],
    ['shop.example.com/x', 'only lowercase letters'],
    ['10.0.0.1', 'all-numeric'],
    ['cluster.local', 'cluster.local'],
    ['shop.svc.cluster.local', 'cluster.local'],
  ])('refuses %s (%s)', (domain, message) => {
    const errors = validateGnsDomain(domain);
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBe('domain');
    expect(errors[0].message).toContain(message);
  });
});

describe('validateGnsName', () => {
  it('accepts a DNS-1123 label', () => {
    expect(validateGnsName('shop-eu-1')).toEqual([]);
    expect(validateGnsName('a'.repeat(63))).toEqual([]);
  });

  it.each([
    ['', 'is required'],
    ['a'.repeat(64), 'at most 63'],
    ['Shop', 'only lowercase'],
    ['shop.eu', 'only lowercase'],
    ['shop-', 'start and end'],
  ])('refuses "%s"', (name, message) => {
    expect(validateGnsName(name)).toEqual([{ field: 'name', message: expect.stringContaining(message) }]);
  });
});
