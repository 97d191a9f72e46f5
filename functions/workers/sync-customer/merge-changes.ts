/**
 * The merge rule of the customer projection, as a pure function: per field, the change
 * with the newest `changedAt` wins, whatever order changes arrive in and however often.
 * Equal times (two producers, or precision lost upstream) are broken by the value itself
 * — the larger canonical JSON wins — so every order of the same changes ends in the same
 * projection. A `null` value clears a field but keeps its time, so an older value arriving
 * later cannot bring it back.
 */
import type { CustomerChange } from '../../events/schemas/customers';
import { changeStamp, compareStamps } from './change-stamp';

/** A field of the projection: its value and the stamp of the change that set it. */
export interface FieldState {
  readonly value: unknown;
  /** See `changeStamp`. */
  readonly changedAt: string;
}

/** Field name → state. A Map, so names such as `constructor` are plain keys. */
export type ProjectionFields = ReadonlyMap<string, FieldState>;

/**
 * JSON with object keys sorted, so equal values always give equal text.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const record = value as Record<string, unknown>;
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Whether `incoming` replaces `stored`: newer time, or the same time and a larger value.
 * Equal time and equal value (a duplicate) does not.
 */
export function supersedes(incoming: FieldState, stored: FieldState | undefined): boolean {
  if (stored === undefined) return true;
  const order = compareStamps(incoming.changedAt, stored.changedAt);
  if (order !== 0) return order > 0;
  return canonicalJson(incoming.value) > canonicalJson(stored.value);
}

/** The merged fields and the names of the fields the changes replaced. */
export interface MergeResult {
  readonly fields: ProjectionFields;
  readonly applied: readonly string[];
}

/**
 * Merges a change set into the current fields.
 *
 * @example
 * ```ts
 * const { fields, applied } = mergeChanges(current, event.data.changes);
 * if (applied.length === 0) return; // stale or duplicate: nothing to write
 * ```
 */
export function mergeChanges(
  current: ProjectionFields,
  changes: CustomerChange['changes'],
): MergeResult {
  const fields = new Map(current);
  const applied: string[] = [];
  for (const [name, change] of Object.entries(changes)) {
    const incoming: FieldState = { value: change.value, changedAt: changeStamp(change.changedAt) };
    if (supersedes(incoming, fields.get(name))) {
      fields.set(name, incoming);
      applied.push(name);
    }
  }
  return { fields, applied };
}
