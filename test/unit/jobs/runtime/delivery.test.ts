/**
 * readDelivery: what the runtime makes of one SQS record before running anything. It never
 * throws — chunks are read as they are taken, mid-batch — whatever the record holds.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { readDelivery } from '../../../../functions/jobs/runtime/delivery';
import { jobMessage, sqsRecord } from '../../../support/job-runtime-fakes';

/** The job the records are read for: audit takes every event type. */
const AUDIT = { name: 'audit', eventTypes: ['*'] } as const;

describe('readDelivery', () => {
  it('reads the job message, the receive count and the carried attempts', () => {
    const message = jobMessage('audit', 3);
    const delivery = readDelivery(
      sqsRecord(message, { messageId: 'm1', receiveCount: 2, carriedAttempts: 4 }),
      7,
      AUDIT,
    );
    expect(delivery).toMatchObject({
      index: 7,
      messageId: 'm1',
      receiveCount: 2,
      carriedAttempts: 4,
    });
    expect(delivery.message).toEqual(message);
    expect(delivery.problem).toBeUndefined();
  });

  it('marks bodies it cannot run, without throwing', () => {
    expect(readDelivery(sqsRecord('{"half'), 0, AUDIT).problem?.reason).toBe('NOT_A_JOB');
    expect(readDelivery(sqsRecord({ kind: 'other' }), 0, AUDIT).problem?.reason).toBe('NOT_A_JOB');
    expect(readDelivery(sqsRecord(jobMessage('sync-customer')), 0, AUDIT).problem?.reason).toBe(
      'WRONG_JOB',
    );
  });

  it("marks an event of a type its job does not take as WRONG_JOB: the job's event types are its routes", () => {
    const indexProduct = { name: 'index-product', eventTypes: ['PRODUCT_PUBLISHED'] } as const;
    const published = jobMessage('index-product');
    expect(readDelivery(sqsRecord(published), 0, indexProduct).problem).toBeUndefined();
    const sold = { ...published, event: { ...(published.event as object), type: 'ITEM_SOLD' } };
    expect(readDelivery(sqsRecord(sold), 0, indexProduct).problem).toEqual({
      reason: 'WRONG_JOB',
      message: 'a ITEM_SOLD event for job "index-product", which takes PRODUCT_PUBLISHED',
    });
  });

  it('reads a record without attributes as a first delivery', () => {
    const { attributes: _, ...bare } = sqsRecord(jobMessage('audit'));
    const delivery = readDelivery(bare as SQSRecord, 0, AUDIT);
    expect(delivery.receiveCount).toBe(1);
    expect(delivery.carriedAttempts).toBe(0);
    expect(delivery.message?.job).toBe('audit');
  });
});
