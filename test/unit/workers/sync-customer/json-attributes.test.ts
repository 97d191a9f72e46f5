import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../../functions/shared/errors';
import {
  fromAttribute,
  toAttribute,
} from '../../../../functions/workers/sync-customer/json-attributes';

describe('JSON values as DynamoDB attributes', () => {
  it('keeps each JSON type as its DynamoDB type', () => {
    expect(toAttribute({ a: [1, 'x', true, null], b: {} })).toEqual({
      M: {
        a: { L: [{ N: '1' }, { S: 'x' }, { BOOL: true }, { NULL: true }] },
        b: { M: {} },
      },
    });
  });

  it('round-trips any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // JSON itself cannot tell -0 from 0; neither can the projection.
        const json = JSON.parse(JSON.stringify(value)) as unknown;
        expect(fromAttribute(toAttribute(json))).toEqual(json);
      }),
    );
  });

  it('keeps a `__proto__` key as data', () => {
    const value = JSON.parse('{"__proto__":{"admin":true}}') as unknown;
    const attribute = toAttribute(value);
    expect(Object.keys(attribute.M ?? {})).toEqual(['__proto__']);
    const back = fromAttribute(attribute) as object;
    expect(Object.keys(back)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual({ admin: true });
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it('refuses values and attributes that have no JSON form', () => {
    expect(() => toAttribute(Number.POSITIVE_INFINITY)).toThrow(PermanentError);
    expect(() => toAttribute(() => 1)).toThrow(PermanentError);
    expect(() => fromAttribute({ SS: ['a'] })).toThrow(PermanentError);
  });
});
