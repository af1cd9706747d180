import { Findings, knownList } from './findings';

describe('Findings', () => {
  it('keeps errors and warnings apart, in the order found', () => {
    const findings = new Findings();
    findings.error('a', 'first');
    findings.warn('b', 'careful');
    findings.error('c', 'second');
    expect(findings.errors).toEqual([
      { field: 'a', message: 'first' },
      { field: 'c', message: 'second' },
    ]);
    expect(findings.warnings).toEqual([{ field: 'b', message: 'careful' }]);
  });

  it('reports a duration that does not parse or is out of bounds', () => {
    const findings = new Findings();
    findings.duration('ok', '5s', { min: 1, max: 10_000 });
    findings.duration('long', '1m', { min: 1, max: 10_000 });
    findings.duration('typo', '5 seconds', { min: 1, max: 10_000 });
    expect(findings.errors.map((error) => error.field)).toEqual(['long', 'typo']);
    expect(findings.errors[0].message).toBe('1m is outside 1ms..10s');
  });
});

describe('knownList', () => {
  it('lists sorted items between prefix and suffix, or nothing', () => {
    expect(knownList(' (members: ', ['west', 'east'], ')')).toBe(' (members: east, west)');
    expect(knownList(' (members: ', [], ')')).toBe('');
  });
});
