/**
 * Turns the text of a Kafka record into a validated event at the latest schema version of
 * its type. Both modes of the CloudEvents Kafka binding are accepted: structured (the JSON
 * envelope is the record value) and binary (attributes in `ce_*` headers, data as the value).
 */
import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import './formats';
import { RecordRejectedError } from '../shared/errors';
import {
  type CloudEvent,
  CloudEventEnvelope,
  type Envelope,
  versionFromSchemaId,
} from './envelope';
import { EVENT_LIMITS, type EventLimits, limitViolation } from './limits';
import { EventRegistry } from './registry';

/** What could be read of an event before it failed, for dead letters and metrics. */
export interface EventIdentity {
  id?: string;
  source?: string;
  type?: string;
  version?: number;
}

export type ParseResult =
  | { ok: true; event: CloudEvent; receivedVersion: number; json?: string }
  | { ok: false; error: RecordRejectedError; identity: EventIdentity };

const BINARY_MODE_PREFIX = 'ce_';

/**
 * Parses and validates events against a registry, compiling each schema on first use.
 *
 * @example
 * ```ts
 * const parser = new EventParser();
 * const result = parser.parse(text, headers);
 * if (result.ok) console.log(result.event.type, result.event.dataversion);
 * ```
 */
export class EventParser {
  private readonly validators = new Map<TSchema, TypeCheck<TSchema>>();

  constructor(
    readonly registry: EventRegistry = new EventRegistry(),
    readonly limits: EventLimits = EVENT_LIMITS,
  ) {}

  /** Parses a record's value text, given its headers (decoded as text). */
  parse(text: string, headers: ReadonlyMap<string, string>): ParseResult {
    const binary = headers.get(`${BINARY_MODE_PREFIX}specversion`) !== undefined;
    // A string's length never exceeds its UTF-8 size: a cheap guard before parsing.
    if (text.length > this.limits.maxValueBytes) {
      return reject(
        'LIMIT_EXCEEDED',
        `Record value of ${text.length} characters exceeds ${this.limits.maxValueBytes} bytes`,
        {},
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const what = binary ? 'Binary-mode data' : 'Record value';
      const preview = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      return reject(
        'NOT_JSON',
        `${what} is not JSON (${(error as Error).message}): ${JSON.stringify(preview)}`,
        {},
        undefined,
        error,
      );
    }
    // Before anything recursive (validation, upcasting, serialising) reads the value.
    const overLimit = binary
      ? limitViolation(value, this.limits, '/data', 2)
      : limitViolation(value, this.limits);
    if (overLimit) {
      return reject(
        'LIMIT_EXCEEDED',
        `${overLimit.path || '/'} ${overLimit.message}`,
        binary || typeof value !== 'object' || value === null
          ? {}
          : identityOf(value as Record<string, unknown>),
        overLimit.path,
      );
    }
    const candidate = binary ? envelopeFromHeaders(headers, value) : value;
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
      return reject(
        'INVALID_ENVELOPE',
        'Record value is JSON but not a CloudEvents envelope object',
        {},
      );
    }
    // The identity is read only for a rejection: valid records, the many, skip building it.
    const fields = candidate as Record<string, unknown>;
    const envelopeCheck = this.firstError(CloudEventEnvelope, candidate);
    if (envelopeCheck) {
      return reject(
        'INVALID_ENVELOPE',
        `Invalid CloudEvents envelope: ${envelopeCheck.message}`,
        identityOf(fields),
        envelopeCheck.path,
      );
    }
    const envelope = candidate as Envelope;
    const version = envelope.dataversion ?? versionFromSchemaId(envelope.dataschema, envelope.type);
    if (version === undefined) {
      return reject(
        'INVALID_ENVELOPE',
        'Missing schema version: set the dataversion attribute',
        identityOf(fields),
        '/dataversion',
      );
    }
    const definition = this.registry.get(envelope.type);
    if (!definition) {
      return reject(
        'UNKNOWN_TYPE',
        `Unknown event type ${envelope.type}`,
        identityOf(fields, version),
        '/type',
      );
    }
    const latest = definition.versions.length;
    const entry = definition.versions[version - 1];
    if (!entry) {
      return reject(
        'UNKNOWN_VERSION',
        `${envelope.type} version ${version} is unknown here: this code reads versions 1..${latest}`,
        identityOf(fields, version),
        '/dataversion',
      );
    }
    const dataError = this.firstError(entry.schema, envelope.data);
    if (dataError) {
      return reject(
        'SCHEMA_VIOLATION',
        `${envelope.type} v${version}: ${dataError.message}`,
        identityOf(fields, version),
        `/data${dataError.path}`,
      );
    }
    let data: unknown = envelope.data;
    if (version < latest) {
      try {
        for (let v = version; v < latest; v++) {
          const upcast = definition.versions[v - 1]?.upcast as
            | ((d: unknown) => unknown)
            | undefined;
          data = upcast?.(data);
        }
      } catch (error) {
        return reject(
          'UPCAST_FAILED',
          `${envelope.type} v${version} → v${latest}: ${(error as Error).message}`,
          identityOf(fields, version),
          '/data',
          error,
        );
      }
      const upcastError = this.firstError(definition.versions[latest - 1]?.schema as TSchema, data);
      if (upcastError) {
        return reject(
          'UPCAST_FAILED',
          `${envelope.type} v${version} upcast to v${latest} is invalid: ${upcastError.message}`,
          identityOf(fields, version),
          `/data${upcastError.path}`,
        );
      }
    }
    // Already at the latest version with it stated: the validated envelope is the event.
    const unchanged = data === envelope.data && envelope.dataversion === latest;
    const event = (unchanged ? envelope : { ...envelope, dataversion: latest, data }) as CloudEvent;
    // Structured mode, nothing changed: the record text is the event's JSON.
    return unchanged && !binary
      ? { ok: true, event, receivedVersion: version, json: text }
      : { ok: true, event, receivedVersion: version };
  }

  /**
   * Checks an event as a job message carries it (a replayed or hand-sent message may not
   * have passed the router): the contract's limits, the envelope and, for a type this code
   * knows, the version — jobs only ever receive the latest — and `data` against it. A type
   * or a version newer than this code knows passes unjudged: a newer router may have sent
   * it while this code is still being deployed, and the job may well read it.
   *
   * @returns undefined when valid (or newer than this code), else the JSON Pointer and
   * message of the first problem
   *
   * @example
   * ```ts
   * new EventParser().checkLatest({ ...productPublished, data: {} });
   * // { path: '/data/productId', message: 'PRODUCT_PUBLISHED v1: /productId Expected required property' }
   * ```
   */
  checkLatest(event: unknown): { path: string; message: string } | undefined {
    const overLimit = limitViolation(event, this.limits);
    if (overLimit) {
      return { path: overLimit.path, message: `${overLimit.path || '/'} ${overLimit.message}` };
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      return { path: '', message: 'the event is not an object' };
    }
    const envelopeError = this.firstError(CloudEventEnvelope, event);
    if (envelopeError) return envelopeError;
    const { type, dataversion, data } = event as Envelope;
    const definition = this.registry.get(type);
    const latest = definition?.versions.length ?? 0;
    if (!definition || (dataversion !== undefined && dataversion > latest)) return undefined;
    if (dataversion !== latest) {
      return { path: '/dataversion', message: `${type} must be at its latest version, ${latest}` };
    }
    const dataError = this.firstError(definition.versions[latest - 1]?.schema as TSchema, data);
    return (
      dataError && {
        path: `/data${dataError.path}`,
        message: `${type} v${latest}: ${dataError.message}`,
      }
    );
  }

  private firstError(
    schema: TSchema,
    value: unknown,
  ): { path: string; message: string } | undefined {
    let validator = this.validators.get(schema);
    if (!validator) {
      validator = TypeCompiler.Compile(schema);
      this.validators.set(schema, validator);
    }
    if (validator.Check(value)) return undefined;
    const first = validator.Errors(value).First();
    if (!first) return { path: '', message: 'invalid' };
    return { path: first.path, message: `${first.path || '/'} ${first.message}` };
  }
}

function reject(
  reason: RecordRejectedError['reason'],
  message: string,
  identity: EventIdentity,
  path?: string,
  cause?: unknown,
): ParseResult {
  // A rejection is an expected verdict on data: its stack (always this parser) is never
  // read — dead letters and logs carry the class, message and path — and capturing it cost
  // more than building the rest of the rejection.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return {
      ok: false,
      error: new RecordRejectedError(reason, message, path, { cause }),
      identity,
    };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** What a rejected event says about itself; `version` once it is known, else `dataversion`. */
function identityOf(candidate: Record<string, unknown>, version?: number): EventIdentity {
  const identity: EventIdentity = {};
  if (typeof candidate.id === 'string') identity.id = candidate.id;
  if (typeof candidate.source === 'string') identity.source = candidate.source;
  if (typeof candidate.type === 'string') identity.type = candidate.type;
  if (version !== undefined) identity.version = version;
  else if (typeof candidate.dataversion === 'number') identity.version = candidate.dataversion;
  return identity;
}

/** Binary mode: `ce_<attribute>` headers plus the value as `data`. */
function envelopeFromHeaders(
  headers: ReadonlyMap<string, string>,
  data: unknown,
): Record<string, unknown> {
  const envelope: Record<string, unknown> = {};
  for (const [name, value] of headers) {
    if (!name.startsWith(BINARY_MODE_PREFIX)) continue;
    const attribute = name.slice(BINARY_MODE_PREFIX.length);
    envelope[attribute] =
      attribute === 'dataversion' && /^[0-9]{1,6}$/.test(value) ? Number(value) : value;
  }
  const contentType = headers.get('content-type');
  if (contentType !== undefined && envelope.datacontenttype === undefined) {
    envelope.datacontenttype = contentType.split(';')[0]?.trim();
  }
  envelope.data = data;
  return envelope;
}
