/**
 * readDelivery: what the runtime makes of one SQS record before running anything. It never
 * throws — chunks are read as they are taken, mid-batch — whatever the record holds.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { readDelivery } from '../../../functions/jobs/runtime/delivery';
import { jobMessage, sqsRecord } from './support';

describe('readDelivery', () => {
  it('reads the job message, the receive count and the carried attempts', () => {
    const message = jobMessage('audit', 3);
    const delivery = readDelivery(
      sqsRecord(message, { messageId: 'm1', receiveCount: 2, carriedAttempts: 4 }),
      7,
      'audit',
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
    expect(readDelivery(sqsRecord('{"half'), 0, 'audit').problem?.reason).toBe('NOT_A_JOB');
    expect(readDelivery(sqsRecord({ kind: 'other' }), 0, 'audit').problem?.reason).toBe(
      'NOT_A_JOB',
    );
    expect(readDelivery(sqsRecord(jobMessage('sync-customer')), 0, 'audit').problem?.reason).toBe(
      'WRONG_JOB',
    );
  });

  it('reads a record without attributes as a first delivery', () => {
    const { attributes: _, ...bare } = sqsRecord(jobMessage('audit'));
    const delivery = readDelivery(bare as SQSRecord, 0, 'audit');
    expect(delivery.receiveCount).toBe(1);
    expect(delivery.carriedAttempts).toBe(0);
    expect(delivery.message?.job).toBe('audit');
  });
});
