/**
 * Decoding of the records an MSK event source mapping delivers: base64 key and value,
 * headers as arrays of byte values. Lambda's documented shape leaves open whether a keyless
 * record has `key` absent or null, so both are handled.
 */
import { isUtf8 } from 'node:buffer';
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { EVENT_LIMITS, type EventLimits } from '../events/limits';
import type { RawKafkaRecord } from '../queues/dead-letter';
import { RecordRejectedError } from '../shared/errors';

/** An MSK record as Lambda may really send it: key or value can be missing. */
export type IncomingKafkaRecord = Omit<MSKRecord, 'key' | 'value' | 'headers'> & {
  key?: string | null;
  value?: string | null;
  headers?: MSKRecord['headers'] | null;
};

/** A record with its bytes materialised. */
export interface DecodedKafkaRecord {
  /** The key as UTF-8 text, or base64 when the key bytes are not text; null when keyless. */
  key: string | null;
  /** The value decoded as UTF-8 text. */
  text: string;
  /** Headers by name (the last value wins for repeated names), decoded as UTF-8. */
  headers: Map<string, string>;
}

/** All records of an MSK event in delivery order: partitions in key order, offsets ascending. */
export function recordsOf(event: Pick<MSKEvent, 'records'>): IncomingKafkaRecord[] {
  const all: IncomingKafkaRecord[] = [];
  for (const records of Object.values(event.records ?? {})) {
    for (const record of records) all.push(record);
  }
  return all;
}

/** The "<topic>-<partition>" name Lambda uses for a partition in events and batch responses. */
export function partitionKey(record: Pick<MSKRecord, 'topic' | 'partition'>): string {
  return `${record.topic}-${record.partition}`;
}

/**
 * Materialises key, value and headers, after checking their sizes against the contract's
 * limits (before any byte is decoded).
 *
 * @throws RecordRejectedError `LIMIT_EXCEEDED` when the value, the key or the headers are
 * over a limit; `NOT_DECODABLE` when the value is not UTF-8 text.
 */
export function decodeKafkaRecord(
  record: IncomingKafkaRecord,
  limits: EventLimits = EVENT_LIMITS,
): DecodedKafkaRecord {
  const value = record.value ?? '';
  const valueBytes = base64Bytes(value);
  if (valueBytes > limits.maxValueBytes) {
    throw overLimit(`Record value of ${valueBytes} bytes exceeds ${limits.maxValueBytes}`);
  }
  if (typeof record.key === 'string' && base64Bytes(record.key) > limits.maxRecordKeyBytes) {
    const bytes = base64Bytes(record.key);
    throw overLimit(`Record key of ${bytes} bytes exceeds ${limits.maxRecordKeyBytes}`, '/key');
  }
  const headers = new Map<string, string>();
  let count = 0;
  for (const header of record.headers ?? []) {
    for (const name in header) {
      if (++count > limits.maxHeaders) {
        throw overLimit(`More than ${limits.maxHeaders} headers`, '/headers');
      }
      const bytes = header[name] ?? [];
      const size = Buffer.byteLength(name) + bytes.length;
      if (size > limits.maxHeaderBytes) {
        throw overLimit(
          `Header of ${size} bytes exceeds ${limits.maxHeaderBytes}`,
          `/headers/${count - 1}`,
        );
      }
      headers.set(name, headerText(bytes));
    }
  }
  const text = base64Text(value);
  if (text === undefined) {
    throw new RecordRejectedError(
      'NOT_DECODABLE',
      describeUndecodable(Buffer.from(value, 'base64')),
    );
  }
  return { key: decodeKey(record.key), text, headers };
}

/** The size of the bytes a base64 text decodes to, computed without decoding it. */
function base64Bytes(base64: unknown): number {
  return typeof base64 === 'string' ? Buffer.byteLength(base64, 'base64') : 0;
}

function overLimit(message: string, path?: string): RecordRejectedError {
  return new RecordRejectedError('LIMIT_EXCEEDED', message, path);
}

/**
 * Base64 to UTF-8 text; undefined when the bytes are not UTF-8. Most keys and values are
 * ASCII: `atob` turns those into their text in one pass, with no Buffer to allocate and
 * collect. Its result has one character per byte, so it is ASCII exactly when its UTF-8
 * length equals its length (a check far cheaper than a regular expression). Anything else
 * (non-ASCII bytes, or base64 `atob` refuses but Buffer accepts, such as the URL-safe
 * alphabet) takes the Buffer path, so the result is always what `Buffer.from(base64,
 * 'base64')` decodes.
 */
function base64Text(base64: string): string | undefined {
  if (typeof base64 === 'string') {
    let binary: string | undefined;
    try {
      binary = atob(base64);
    } catch {
      binary = undefined;
    }
    if (binary !== undefined && Buffer.byteLength(binary, 'utf8') === binary.length) return binary;
  }
  const bytes = Buffer.from(base64, 'base64');
  return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
}

/**
 * Header bytes as UTF-8 text; ASCII (the usual case) without a Buffer. One character per
 * byte is the text exactly when every byte is ASCII, i.e. when its UTF-8 size is its length.
 */
function headerText(bytes: readonly number[]): string {
  // apply() takes the bytes as arguments, which a very long header would overflow.
  if (bytes.length > 4096) return Buffer.from(bytes).toString('utf8');
  const text = String.fromCharCode.apply(null, bytes as number[]);
  return Buffer.byteLength(text) === text.length ? text : Buffer.from(bytes).toString('utf8');
}

function decodeKey(key: string | null | undefined): string | null {
  if (key === undefined || key === null) return null;
  return base64Text(key) ?? key;
}

function describeUndecodable(value: Buffer): string {
  const head = value.subarray(0, 8).toString('hex');
  // Confluent/Glue schema-registry framing: magic byte 0 and a 4-byte schema id before the payload.
  const hint =
    value[0] === 0 && value.length > 5 ? ' (looks like schema-registry wire format)' : '';
  return `Record value of ${value.length} bytes is not UTF-8 text${hint}; first bytes 0x${head}`;
}

/** The record exactly as received, for dead letters: bytes stay base64, headers keep order. */
export function rawKafkaRecord(record: IncomingKafkaRecord): RawKafkaRecord {
  const headers: RawKafkaRecord['headers'] = [];
  for (const header of record.headers ?? []) {
    for (const name in header) {
      headers.push({ name, value: Buffer.from(header[name] ?? []).toString('base64') });
    }
  }
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestampType: record.timestampType,
    key: record.key ?? null,
    value: record.value ?? '',
    headers,
  };
}

/** Rebuilds the record Lambda delivered from a dead letter's copy, for replay. */
export function incomingFromRaw(raw: RawKafkaRecord): IncomingKafkaRecord {
  return {
    topic: raw.topic,
    partition: raw.partition,
    offset: raw.offset,
    timestamp: raw.timestamp,
    timestampType: raw.timestampType as MSKRecord['timestampType'],
    key: raw.key,
    value: raw.value,
    headers: raw.headers.map(({ name, value }) => ({ [name]: [...Buffer.from(value, 'base64')] })),
  };
}
