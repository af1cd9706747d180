import { DomainError } from '@lattice/domain';
import { createValidationPipe, inputShapeProblems, MAX_INPUT_DEPTH } from './validation.pipe';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('inputShapeProblems', () => {
  it('accepts ordinary documents', () => {
    expect(
      inputShapeProblems({ name: 'shop', routes: [{ match: [{ headers: { x: { exact: 'beta' } } }] }] }),
    ).toEqual([]);
    expect(inputShapeProblems(nested(MAX_INPUT_DEPTH))).toEqual([]);
  });

  it('names strings and keys with NUL characters by path', () => {
    expect(inputShapeProblems({ description: 'a\u0000b', list: ['ok', '\u0000'] })).toEqual([
      { field: 'list[1]', message: 'must not contain NUL characters (\\u0000)' },
      { field: 'description', message: 'must not contain NUL characters (\\u0000)' },
    ]);
    expect(inputShapeProblems('\u0000', 'service')).toEqual([
      { field: 'service', message: expect.stringContaining('NUL') },
    ]);
  });

  it('refuses absurd nesting without recursing into it', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(inputShapeProblems({ spec: deep })).toEqual([
      {
        field: `spec${'.a'.repeat(MAX_INPUT_DEPTH - 1)}`,
        message: `is nested deeper than ${MAX_INPUT_DEPTH} levels`,
      },
    ]);
  });
});

describe('createValidationPipe', () => {
  it('refuses a NUL character in a plain string argument before anything else sees it', async () => {
    const pipe = createValidationPipe();
    await expect(
      pipe.transform('cart\u0000', { type: 'param', data: 'service', metatype: String }),
    ).rejects.toThrow(DomainError);
    await expect(pipe.transform('cart', { type: 'param', data: 'service', metatype: String })).resolves.toBe(
      'cart',
    );
  });
});
