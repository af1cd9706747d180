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

  it('leaves syntax errors and non-documents to Apollo', () => {
    expect(checkDocumentBounds({ query: '{ a ' }, BOUNDS)).toBeUndefined();
    expect(checkDocumentBounds({ query: '"unterminated' }, BOUNDS)).toBeUndefined();
    expect(checkDocumentBounds({}, BOUNDS)).toBeUndefined();
    expect(checkDocumentBounds('x', BOUNDS)).toBeUndefined();
  });
});
