import { readFileSync } from 'node:fs';
import type { Message } from '@platformatic/kafka';
import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  decodeKafkaRecord,
  incomingFromRaw,
  rawKafkaRecord,
  recordsOf,
} from '../../../../functions/router/kafka-record';
import {
  type ConsumedKafkaMessage,
  mskEventFrom,
  mskRecordFrom,
} from '../../../../local/event-sources/msk-event';

const awsSample: MSKEvent = JSON.parse(
  readFileSync(new URL('../../../fixtures/msk-event-aws-docs.json', import.meta.url), 'utf8'),
);
const source = {
  eventSourceArn: awsSample.eventSourceArn,
  bootstrapServers: awsSample.bootstrapServers.split(','),
};

function message(overrides: Partial<ConsumedKafkaMessage> = {}): ConsumedKafkaMessage {
  return {
    topic: 'orders.events',
    partition: 0,
    offset: 0n,
    timestamp: 1_700_000_000_000n,
    key: Buffer.from('order-1'),
    value: Buffer.from('{"n":1}'),
    headers: new Map(),
    ...overrides,
  };
}

describe('mskEventFrom', () => {
  it('rebuilds the AWS documentation sample event exactly from the record it describes', () => {
    const sample = awsSample.records['mytopic-0']?.[0];
    if (!sample) throw new Error('fixture changed');
    const consumed = message({
      topic: sample.topic,
      partition: sample.partition,
      offset: BigInt(sample.offset),
      timestamp: BigInt(sample.timestamp),
      key: Buffer.from(sample.key, 'base64'),
      value: Buffer.from(sample.value, 'base64'),
      headers: new Map([[Buffer.from('headerKey'), Buffer.from('headerValue')]]),
    });
    // The sample's key is not canonical base64 (it decodes to bytes that re-encode differently),
    // so compare everything else exactly and the key by its bytes.
    const event = mskEventFrom([consumed], source);
    const [record] = event.records['mytopic-0'] ?? [];
    expect({ ...event, records: {} }).toEqual({ ...awsSample, records: {} });
    expect(Object.keys(event.records)).toEqual(['mytopic-0']);
    expect({ ...record, key: undefined }).toEqual({ ...sample, key: undefined });
    expect(Buffer.from(record?.key ?? '', 'base64')).toEqual(Buffer.from(sample.key, 'base64'));
  });

  it('groups several partitions and topics under "<topic>-<partition>", offsets ascending', () => {
    const event = mskEventFrom(
      [
        message({ topic: 'b', partition: 1, offset: 7n }),
        message({ topic: 'a', partition: 10, offset: 3n }),
        message({ topic: 'b', partition: 1, offset: 5n }),
        message({ topic: 'a', partition: 2, offset: 9n }),
      ],
      source,
    );
    expect(Object.keys(event.records)).toEqual(['a-2', 'a-10', 'b-1']);
    expect(event.records['b-1']?.map((r) => r.offset)).toEqual([5, 7]);
    expect(event.bootstrapServers).toBe(awsSample.bootstrapServers);
    expect(event.eventSource).toBe('aws:kafka');
  });

  it('round-trips binary keys, values and repeated headers through the router parser', () => {
    const binaryKey = Buffer.from([0xff, 0x00, 0x80]);
    const consumed = message({
      partition: 4,
      offset: 123_456n,
      key: binaryKey,
      value: Buffer.from('{"héllo":"wörld"}'),
      headers: new Map([
        [Buffer.from('ce_type'), Buffer.from('ITEM_SOLD')],
        [Buffer.from('trace'), Buffer.from('first')],
        [Buffer.from('trace'), Buffer.from('sécond')],
      ]),
    });
    const event = mskEventFrom([consumed], source);
    const [incoming] = recordsOf(event as MSKEvent);
    if (!incoming) throw new Error('no record');

    const decoded = decodeKafkaRecord(incoming);
    expect(decoded.text).toBe('{"héllo":"wörld"}');
    expect(decoded.key).toBe(binaryKey.toString('base64'));
    expect(decoded.headers.get('ce_type')).toBe('ITEM_SOLD');
    expect(decoded.headers.get('trace')).toBe('sécond');

    const raw = rawKafkaRecord(incoming);
    expect(raw).toMatchObject({ topic: 'orders.events', partition: 4, offset: 123_456 });
    expect(raw.headers.map((h) => [h.name, Buffer.from(h.value, 'base64').toString()])).toEqual([
      ['ce_type', 'ITEM_SOLD'],
      ['trace', 'first'],
      ['trace', 'sécond'],
    ]);
    // A dead letter's copy rebuilds exactly the record the emulated mapping delivered.
    expect(incomingFromRaw(raw)).toEqual(incoming);
  });

  it('leaves key and value out for keyless records and tombstones; null headers are empty', () => {
    const record = mskRecordFrom(
      message({ key: null, value: undefined, headers: new Map([[Buffer.from('h'), null]]) }),
    );
    expect('key' in record).toBe(false);
    expect('value' in record).toBe(false);
    expect(record.headers).toEqual([{ h: [] }]);
    expect(decodeKafkaRecord(record).key).toBeNull();
  });

  it('takes a LOG_APPEND_TIME timestamp type when the caller knows it', () => {
    expect(mskRecordFrom(message()).timestampType).toBe('CREATE_TIME');
    expect(mskRecordFrom(message({ timestampType: 'LOG_APPEND_TIME' })).timestampType).toBe(
      'LOG_APPEND_TIME',
    );
  });

  it('refuses offsets a JSON number cannot hold exactly', () => {
    expect(() => mskRecordFrom(message({ offset: 2n ** 53n }))).toThrow(RangeError);
  });

  it('accepts @platformatic/kafka messages as they are', () => {
    const consumed: Message = {
      ...message(),
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      partition: 0,
      headers: new Map([[Buffer.from('a'), Buffer.from('b')]]),
      headerEntries: [[Buffer.from('a'), Buffer.from('b')]],
      leaderEpoch: 0,
      metadata: {},
      commit: () => undefined,
      toJSON: () => {
        throw new Error('unused');
      },
    };
    expect(mskRecordFrom(consumed)).toMatchObject({
      key: 'aw==',
      value: 'dg==',
      headers: [{ a: [98] }],
    });
  });
});
