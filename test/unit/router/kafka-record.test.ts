/**
 * Decoding of record bytes: the fast path for ASCII (atob) must give exactly what Buffer's
 * base64 and UTF-8 decoding give, and leave everything else to them.
 */
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_LIMITS } from '../../../functions/events/limits';
import {
  decodeKafkaRecord,
  type IncomingKafkaRecord,
} from '../../../functions/router/kafka-record';
import { RecordRejectedError } from '../../../functions/shared/errors';

const record = (
  value: string,
  key?: string | null,
  headers: Array<Record<string, number[]>> = [],
) =>
  ({
    topic: 't',
    partition: 0,
    offset: 0,
    timestamp: 0,
    timestampType: 'CREATE_TIME',
    value,
    key,
    headers,
  }) as IncomingKafkaRecord;

describe('decodeKafkaRecord', () => {
  it('decodes any base64 as Buffer does, or rejects the value when it is not UTF-8', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n'.split(
      '',
    );
    const base64 = fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64')),
      fc.string({ unit: 'grapheme', maxLength: 20 }).map((t) => Buffer.from(t).toString('base64')),
      fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 24 }),
    );
    fc.assert(
      fc.property(base64, base64, (value, key) => {
        const bytes = Buffer.from(value, 'base64');
        const keyBytes = Buffer.from(key, 'base64');
        const expectedKey = isUtf8(keyBytes) ? keyBytes.toString('utf8') : key;
        if (!isUtf8(bytes)) {
          expect(() => decodeKafkaRecord(record(value, key))).toThrow(RecordRejectedError);
          return;
        }
        const decoded = decodeKafkaRecord(record(value, key));
        expect(decoded.text).toBe(bytes.toString('utf8'));
        expect(decoded.key).toBe(expectedKey);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes headers as UTF-8, long ones included', () => {
    const long = 'x'.repeat(300_000); // as arguments to apply(), this many overflow the stack
    const decoded = decodeKafkaRecord(
      record('', null, [
        { a: [...Buffer.from('plain')] },
        { b: [...Buffer.from('sécond')] },
        { c: [...Buffer.from(long)] },
        { d: [0xff] },
      ]),
      { ...EVENT_LIMITS, maxHeaderBytes: 1_000_000 },
    );
    expect(decoded.key).toBeNull();
    expect([...decoded.headers]).toEqual([
      ['a', 'plain'],
      ['b', 'sécond'],
      ['c', long],
      ['d', '\ufffd'],
    ]);
  });
});
