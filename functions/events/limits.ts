/**
 * The size limits of the event contract. A record is checked against them before anything
 * recursive touches it (schema validation, upcasting, serialising a job): an iterative,
 * linear walk that needs no stack however deep the value is nested. A record over a limit is
 * dead-lettered as `LIMIT_EXCEEDED` with the JSON Pointer of the first value over it.
 *
 * The limits are part of the contract: the JSON Schema files carry them as the annotation
 * `x-sluice-limits` (JSON Schema cannot say "no string anywhere longer than …").
 */

/** The limits; every figure is documented in the README's event contract. */
export interface EventLimits {
  /** Largest record value in bytes (structured mode: the envelope; binary mode: `data`). */
  readonly maxValueBytes: number;
  /** Deepest nesting of objects and arrays, the envelope counting as level 1. */
  readonly maxDepth: number;
  /** Longest string anywhere in the event, in UTF-16 code units (JavaScript's length). */
  readonly maxStringLength: number;
  /** Longest property name anywhere in the event. */
  readonly maxPropertyNameLength: number;
  /** Most properties of one object. */
  readonly maxProperties: number;
  /** Most items of one array. */
  readonly maxItems: number;
  /** Most record headers. */
  readonly maxHeaders: number;
  /** Largest header, name and value together, in bytes. */
  readonly maxHeaderBytes: number;
  /** Largest record key in bytes. */
  readonly maxRecordKeyBytes: number;
}

export const EVENT_LIMITS: EventLimits = Object.freeze({
  maxValueBytes: 1_048_576,
  maxDepth: 32,
  maxStringLength: 65_536,
  maxPropertyNameLength: 256,
  maxProperties: 1_000,
  maxItems: 10_000,
  maxHeaders: 64,
  maxHeaderBytes: 8_192,
  maxRecordKeyBytes: 1_024,
});

/** Where and why a value is over a limit. */
export interface LimitViolation {
  /** JSON Pointer of the value over the limit, e.g. `/data/lines/3/note`. */
  readonly path: string;
  readonly message: string;
}

/** An object or array on the walk's stack; only containers get one, never strings or numbers. */
interface Frame {
  readonly value: object;
  readonly depth: number;
  readonly parent: Frame | undefined;
  readonly key: string;
}

/**
 * The first place where `value` breaks the structural limits (depth, string and property
 * name lengths, properties per object, items per array), or undefined. Iterative and linear
 * in the size of the value: safe on any input JSON.parse returns.
 *
 * @param base JSON Pointer of `value` within the event, e.g. `/data` in binary mode
 * @param baseDepth nesting level of `value`'s container: 1 for the envelope, 2 for `data`
 *
 * @example
 * ```ts
 * limitViolation(JSON.parse('[[[[1]]]]'), { ...EVENT_LIMITS, maxDepth: 3 });
 * // { path: '/0/0/0', message: 'nested deeper than 3 levels' }
 * ```
 */
export function limitViolation(
  value: unknown,
  limits: EventLimits = EVENT_LIMITS,
  base = '',
  baseDepth = 1,
): LimitViolation | undefined {
  if (typeof value === 'string') return stringViolation(value, limits, undefined, base);
  if (typeof value !== 'object' || value === null) return undefined;
  if (baseDepth > limits.maxDepth) return { path: base, message: deeper(limits) };
  const stack: Frame[] = [{ value, depth: baseDepth, parent: undefined, key: base }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const container = frame.value;
    if (Array.isArray(container)) {
      if (container.length > limits.maxItems) {
        return at(
          frame,
          undefined,
          `array of ${container.length} items (at most ${limits.maxItems})`,
        );
      }
      for (let i = 0; i < container.length; i++) {
        const found = visit(container[i], String(i), frame, stack, limits);
        if (found) return found;
      }
    } else {
      let count = 0;
      for (const key in container) {
        if (++count > limits.maxProperties) {
          return at(frame, undefined, `object of more than ${limits.maxProperties} properties`);
        }
        if (key.length > limits.maxPropertyNameLength) {
          return at(
            frame,
            undefined,
            `property name of ${key.length} characters (at most ${limits.maxPropertyNameLength})`,
          );
        }
        const found = visit((container as Record<string, unknown>)[key], key, frame, stack, limits);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** Checks a child: strings at once, containers by pushing them on the stack. */
function visit(
  child: unknown,
  key: string,
  parent: Frame,
  stack: Frame[],
  limits: EventLimits,
): LimitViolation | undefined {
  if (typeof child === 'string') return stringViolation(child, limits, parent, key);
  if (typeof child !== 'object' || child === null) return undefined;
  const frame: Frame = { value: child, depth: parent.depth + 1, parent, key };
  if (frame.depth > limits.maxDepth) return at(frame, undefined, deeper(limits));
  stack.push(frame);
  return undefined;
}

function stringViolation(
  text: string,
  limits: EventLimits,
  parent: Frame | undefined,
  key: string,
): LimitViolation | undefined {
  if (text.length <= limits.maxStringLength) return undefined;
  const message = `string of ${text.length} characters (at most ${limits.maxStringLength})`;
  return parent ? at(parent, key, message) : { path: key, message };
}

function deeper(limits: EventLimits): string {
  return `nested deeper than ${limits.maxDepth} levels`;
}

/** The violation at `frame` (or at its child `key`), its path built only now. */
function at(frame: Frame, key: string | undefined, message: string): LimitViolation {
  const keys: string[] = key === undefined ? [] : [escapePointer(key)];
  let current: Frame | undefined = frame;
  while (current?.parent) {
    keys.push(escapePointer(current.key));
    current = current.parent;
  }
  // The root frame's key is the base pointer, already escaped.
  const base = current?.key ?? '';
  return {
    path: `${base}${keys
      .reverse()
      .map((k) => `/${k}`)
      .join('')}`,
    message,
  };
}

function escapePointer(key: string): string {
  const clipped = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  return clipped.replaceAll('~', '~0').replaceAll('/', '~1');
}
