import { checkDestinations } from './check-destinations';
import { Findings } from './findings';

function errorsOf(destinations: { subset?: string; weight?: number }[]): Record<string, string> {
  const findings = new Findings();
  checkDestinations('routes[0]', { destinations }, new Set(['v1', 'v2']), findings);
  expect(findings.warnings).toEqual([]);
  return Object.fromEntries(findings.errors.map((error) => [error.field, error.message]));
}

describe('checkDestinations', () => {
  it('accepts one whole-service destination and weights that sum to 100', () => {
    expect(errorsOf([{}])).toEqual({});
    expect(errorsOf([{ subset: 'v1', weight: 100 }])).toEqual({});
    expect(
      errorsOf([
        { subset: 'v1', weight: 30 },
        { subset: 'v2', weight: 70 },
      ]),
    ).toEqual({});
  });

  it('names the destination or weight that is wrong', () => {
    expect(errorsOf([])).toEqual({ 'routes[0].destinations': 'must hold at least one destination' });
    expect(errorsOf([{ subset: 'v1', weight: 50 }])).toEqual({
      'routes[0].destinations[0].weight':
        'a single destination takes all traffic: weight must be 100 (or left out), not 50',
    });
    expect(errorsOf([{ subset: 'v1', weight: 50 }, { subset: 'v2' }])).toEqual({
      'routes[0].destinations[1].weight': 'is required when a route has several destinations',
    });
    expect(
      errorsOf([
        { subset: 'v1', weight: 50 },
        { subset: 'v1', weight: 40 },
      ]),
    ).toEqual({
      'routes[0].destinations[1].subset': 'subset "v1" is a destination twice',
      'routes[0].destinations': 'weights sum to 90; they must sum to 100',
    });
    expect(errorsOf([{ subset: 'v3' }])).toEqual({
      'routes[0].destinations[0].subset': 'unknown subset "v3" (defined: v1, v2)',
    });
  });
});
