import { BadRequestException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { forbiddenKey, refusePrototypeKeys } from './json-only.middleware';

describe('forbiddenKey', () => {
  it.each([
    ['{"__proto__":{"admin":true}}', { key: '__proto__', path: 'body.__proto__' }],
    ['{"name":"a","constructor":{"prototype":{"x":1}}}', { key: 'constructor', path: 'body.constructor' }],
    [
      '{"spec":{"items":[{"ok":1},{"prototype":2}]}}',
      { key: 'prototype', path: 'body.spec.items[1].prototype' },
    ],
    ['[{"a b":{"__proto__":null}}]', { key: '__proto__', path: 'body[0]["a b"].__proto__' }],
  ])('finds the key in %s', (json, expected) => expect(forbiddenKey(JSON.parse(json))).toEqual(expected));

  it.each(['{}', '[]', '"__proto__"', 'null', '{"proto":1,"constructors":["__proto__"],"Prototype":{}}'])(
    'accepts %s',
    (json) => expect(forbiddenKey(JSON.parse(json))).toBeNull(),
  );

  it('walks a deeply nested body without recursion', () => {
    const deep = '['.repeat(100_000) + '{"__proto__":1}' + ']'.repeat(100_000);
    expect(forbiddenKey(JSON.parse(deep))?.key).toBe('__proto__');
  });
});

describe('refusePrototypeKeys', () => {
  const run = (body: unknown) => {
    const next = jest.fn();
    refusePrototypeKeys({ body } as Request, {} as Response, next);
    return next.mock.calls[0]?.[0] as unknown;
  };

  it('passes a clean body on and refuses a polluting one with 400 naming the key path', () => {
    expect(run({ name: 'x' })).toBeUndefined();
    const error = run(JSON.parse('{"spec":{"__proto__":{"role":"admin"}}}'));
    expect(error).toBeInstanceOf(BadRequestException);
    expect((error as BadRequestException).message).toBe(
      'body.spec.__proto__: the key "__proto__" is not allowed in a request body',
    );
  });
});
