import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { PackedJobRecord } from '../../../../functions/jobs/runtime/packed-job-record';
import { ATTEMPTS_ATTRIBUTE } from '../../../../functions/queues/job-message';
import { sqsRecord } from '../../../support/job-runtime-fakes';

describe('PackedJobRecord', () => {
  const pack: SQSRecord = sqsRecord('{"kind":"sluice.job-pack"}', { messageId: 'p1' });

  it('writes its body once, when first read, and keeps the pack’s identity', () => {
    const write = vi.fn(() => '{"kind":"sluice.job"}');
    const record = new PackedJobRecord(pack, { kind: 'sluice.job' }, write, 0);
    expect(write).not.toHaveBeenCalled();
    expect(record.body).toBe('{"kind":"sluice.job"}');
    expect(record.body).toBe('{"kind":"sluice.job"}');
    expect(write).toHaveBeenCalledOnce();
    expect([record.messageId, record.receiptHandle, record.eventSourceARN]).toEqual([
      pack.messageId,
      pack.receiptHandle,
      pack.eventSourceARN,
    ]);
    expect(record.messageAttributes).toBe(pack.messageAttributes);
  });

  it('carries its attempts, is written as JSON with its body, and takes a body given to it', () => {
    const record = new PackedJobRecord(pack, {}, () => '{"a":1}', 3);
    expect(record.messageAttributes[ATTEMPTS_ATTRIBUTE]?.stringValue).toBe('3');
    const written = JSON.parse(JSON.stringify(record)) as SQSRecord;
    expect(written.body).toBe('{"a":1}');
    expect(written.messageId).toBe('p1');
    record.body = '{"b":2}';
    expect(record.body).toBe('{"b":2}');
  });
});
