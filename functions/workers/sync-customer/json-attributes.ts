/**
 * JSON values as DynamoDB attribute values and back, so a customer field keeps its type in
 * the projection (a number stays N, an address stays M) and readers can query it. Hand
 * written like `functions/jobs/dynamo-attributes.ts`: the marshalling library is not a
 * dependency, and JSON needs only six cases.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PermanentError } from '../../shared/errors';

/**
 * The attribute value of a JSON value (`null` clears a field and is kept as NULL).
 *
 * @throws PermanentError for values JSON cannot hold (non-finite numbers, functions…).
 * @example
 * ```ts
 * toAttribute({ city: 'Lyon', floor: 2 }); // { M: { city: { S: 'Lyon' }, floor: { N: '2' } } }
 * ```
 */
export function toAttribute(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'boolean':
      return { BOOL: value };
    case 'number':
      if (!Number.isFinite(value)) throw new PermanentError(`Not a JSON number: ${value}`);
      return { N: String(value) };
    case 'object': {
      if (Array.isArray(value)) return { L: value.map(toAttribute) };
      // fromEntries defines own properties: a `__proto__` key stays a key, not a prototype.
      const entries = Object.entries(value).map(([key, entry]) => [key, toAttribute(entry)]);
      return { M: Object.fromEntries(entries) };
    }
    default:
      throw new PermanentError(`Not a JSON value: ${typeof value}`);
  }
}

/**
 * The JSON value of an attribute written by {@link toAttribute}.
 *
 * @throws PermanentError for attribute types JSON has no form for (sets, binary).
 * @example
 * ```ts
 * fromAttribute({ L: [{ N: '1' }, { NULL: true }] }); // [1, null]
 * ```
 */
export function fromAttribute(attribute: AttributeValue): unknown {
  if (attribute.NULL) return null;
  if (attribute.S !== undefined) return attribute.S;
  if (attribute.BOOL !== undefined) return attribute.BOOL;
  if (attribute.N !== undefined) return Number(attribute.N);
  if (attribute.L !== undefined) return attribute.L.map(fromAttribute);
  if (attribute.M !== undefined) {
    // fromEntries, not assignment: field values may hold keys such as `__proto__`.
    return Object.fromEntries(
      Object.entries(attribute.M).map(([key, entry]) => [key, fromAttribute(entry)]),
    );
  }
  throw new PermanentError(`Attribute without a JSON form: ${Object.keys(attribute).join(',')}`);
}
