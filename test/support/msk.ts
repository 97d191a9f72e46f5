/**
 * Builders of MSK events in the exact shape Lambda delivers (base64 key and value, headers
 * as arrays of byte values, records grouped under "<topic>-<partition>").
 */
import type { MSKEvent, MSKRecord } from 'aws-lambda';

export interface RecordInit {
  topic?: string;
  partition?: number;
  offset: number;
  key?: string | null;
  /** The value bytes; a string is encoded as UTF-8. */
  value: string | Buffer;
  headers?: Array<[string, string]>;
  timestamp?: number;
}

/** One MSK record. A null key produces a record without a `key` field. */
export function mskRecord(init: RecordInit): MSKRecord {
  const value = typeof init.value === 'string' ? Buffer.from(init.value, 'utf8') : init.value;
  const record = {
    topic: init.topic ?? 'catalog.events',
    partition: init.partition ?? 0,
    offset: init.offset,
    timestamp: init.timestamp ?? 1_764_322_200_000,
    timestampType: 'CREATE_TIME' as const,
    value: value.toString('base64'),
    headers: (init.headers ?? []).map(([name, v]) => ({ [name]: [...Buffer.from(v, 'utf8')] })),
  } as MSKRecord;
  if (init.key !== null)
    record.key = Buffer.from(init.key ?? `key-${init.offset}`).toString('base64');
  return record;
}

/** An MSK event holding the records, grouped by topic and partition as Lambda does. */
export function mskEvent(records: readonly MSKRecord[]): MSKEvent {
  const grouped: MSKEvent['records'] = {};
  for (const record of records) {
    const key = `${record.topic}-${record.partition}`;
    grouped[key] ??= [];
    grouped[key].push(record);
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn:
      'arn:aws:kafka:eu-west-1:123456789012:cluster/sluice/00000000-0000-0000-0000-000000000000-1',
    bootstrapServers: 'b-1.sluice.kafka.eu-west-1.amazonaws.com:9098',
    records: grouped,
  };
}

/** A structured-mode CloudEvents record: the JSON envelope is the value. */
export function structuredRecord(event: object, init: Omit<RecordInit, 'value'>): MSKRecord {
  return mskRecord({
    ...init,
    value: JSON.stringify(event),
    headers: [['content-type', 'application/cloudevents+json'], ...(init.headers ?? [])],
  });
}
