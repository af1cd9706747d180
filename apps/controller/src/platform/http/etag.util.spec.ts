import type { Response } from 'express';
import { etagOf, optionalVersionFromIfMatch, versionFromIfMatch, withEtag } from './etag.util';

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('ETags', () => {
  const view = { id: 'a', version: 3, status: { evaluatedAt: '2026-12-03T10:00:00.000Z', budget: 0.5 } };

  it('are the version followed by a hash of the representation', () => {
    expect(etagOf(3, view)).toMatch(/^"3-[A-Za-z0-9_-]{22}"$/);
    expect(etagOf(3, view)).toBe(etagOf(3, structuredClone(view)));
  });

  it('change when only a live field changes, at the same version', () => {
    const evaluatedLater = { ...view, status: { evaluatedAt: '2026-12-03T10:01:00.000Z', budget: 0.5 } };
    const budgetSpent = { ...view, status: { ...view.status, budget: 0.49 } };
    expect(etagOf(3, evaluatedLater)).not.toBe(etagOf(3, view));
    expect(etagOf(3, budgetSpent)).not.toBe(etagOf(3, view));
  });

  it('are set on the response by withEtag, which returns the view unchanged', () => {
    const headers: Record<string, string> = {};
    const response = {
      setHeader: (name: string, value: string) => (headers[name] = value),
    } as unknown as Response;
    expect(withEtag(response, view)).toBe(view);
    expect(headers.ETag).toBe(etagOf(3, view));
  });

  it('are read back by If-Match for their version, as is a bare version', () => {
    expect(versionFromIfMatch(etagOf(3, view))).toBe(3);
    expect(versionFromIfMatch(`W/${etagOf(7, view)}`)).toBe(7);
    expect(versionFromIfMatch('"12"')).toBe(12);
    expect(optionalVersionFromIfMatch(undefined)).toBeUndefined();
    expect(optionalVersionFromIfMatch(' "4-abc" ')).toBe(4);
  });

  it('refuse a missing If-Match with 428 and a malformed one with 400', () => {
    expect(codeOf(() => versionFromIfMatch(undefined))).toBe('PRECONDITION_REQUIRED');
    for (const bad of [
      'abc',
      '"-1"',
      '"99999999999"',
      '*',
      '"1", "2"',
      'W/"x"',
      '"3-"',
      '"3-a b"',
      '"3-a"x',
    ]) {
      expect({ bad, code: codeOf(() => versionFromIfMatch(bad)) }).toEqual({ bad, code: 'VALIDATION' });
    }
  });
});
