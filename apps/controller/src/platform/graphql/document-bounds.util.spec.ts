import { checkDocumentBounds, countTokens } from './document-bounds.util';

const BOUNDS = { maxTokens: 50, maxOperations: 2, maxFragments: 1 };

describe('checkDocumentBounds', () => {
  it('lets an ordinary document through', () => {
    expect(checkDocumentBounds({ query: '{ me { id } }' }, BOUNDS)).toBeUndefined();
  });

  it('refuses batched arrays', () => {
    expect(checkDocumentBounds([{ query: '{ a }' }], BOUNDS)?.message).toMatch(/batched/);
  });

  it('refuses a document over the token limit without parsing it', () => {
    const long = `{ ${'a '.repeat(60)}}`;
    expect(checkDocumentBounds({ query: long }, BOUNDS)?.message).toMatch(/more than 50 tokens/);
  });

  it('does not count comments as tokens', () => {
    expect(countTokens(`# ${'x'.repeat(1000)}\n{ a }`, 50)).toBe(3);
  });

  it('refuses too many operations or fragments', () => {
    expect(
      checkDocumentBounds({ query: 'query A { a } query B { a } query C { a }' }, BOUNDS)?.message,
    ).toMatch(/3 operations; at most 2/);
    expect(
      checkDocumentBounds({ query: '{ ...F } fragment F on Q { a } fragment G on Q { a }' }, BOUNDS)?.message,
    ).toMatch(/2 fragments; at most 1/);
  });

  it('counts definitions, not braces of object literals in arguments and defaults, nor names after a keyword', () => {
    const WIDE = { ...BOUNDS, maxTokens: 500 };
    const one = 'query query($a: In = { b: { c: 1 } }) @d(e: { f: 2 }) { a(x: { y: 1 }) { b } }';
    expect(checkDocumentBounds({ query: `${one} ${one}` }, WIDE)).toBeUndefined();
    expect(checkDocumentBounds({ query: `${one} ${one} { a }` }, WIDE)?.message).toMatch(
      /at least 3 operations; at most 2/,
    );
    const fragment = 'fragment fragment on Q @d(a: { b: 1 }) { a { b } }';
    expect(checkDocumentBounds({ query: `{ ...fragment } ${fragment}` }, WIDE)).toBeUndefined();
    expect(checkDocumentBounds({ query: `mutation M { a } subscription S { a }` }, WIDE)).toBeUndefined();
  });

  it('stops at the first limit passed, long before the token limit', () => {
    const many = Array.from({ length: 28_000 }, (_, i) => `query q${i} { __typename }`).join('\n');
    expect(
      checkDocumentBounds({ query: many }, { maxTokens: 5_000, maxOperations: 10, maxFragments: 50 }),
    ).toEqual({
      field: 'query',
      message: 'the document has at least 11 operations; at most 10 are allowed',
    });
  });

  it('leaves syntax errors and non-documents to Apollo', () => {
    expect(checkDocumentBounds({ query: '{ a ' }, BOUNDS)).toBeUndefined();
    expect(checkDocumentBounds({ query: '"unterminated' }, BOUNDS)).toBeUndefined();
    expect(checkDocumentBounds({}, BOUNDS)).toBeUndefined();
    expect(checkDocumentBounds('x', BOUNDS)).toBeUndefined();
  });
});
