import { describe, expect, it } from 'vitest';
import {
  kafkaResumeOffsets,
  sqsFailedMessageIds,
} from '../../../../local/event-sources/batch-responses';

const batch = [
  { topic: 't', partition: 0, offset: 4n },
  { topic: 't', partition: 0, offset: 5n },
  { topic: 't', partition: 0, offset: 6n },
  { topic: 't', partition: 1, offset: 9n },
];
const failure = (partition: string, offset: number | string) => ({
  itemIdentifier: { partition, offset },
});

describe('kafkaResumeOffsets', () => {
  it('treats no response, no list and an empty list as complete success', () => {
    expect(kafkaResumeOffsets(undefined, batch)).toEqual(new Map());
    expect(kafkaResumeOffsets(null, batch)).toEqual(new Map());
    expect(kafkaResumeOffsets({}, batch)).toEqual(new Map());
    expect(kafkaResumeOffsets({ batchItemFailures: [] }, batch)).toEqual(new Map());
  });

  it('keeps the lowest failed offset of each partition', () => {
    const response = {
      batchItemFailures: [failure('t-0', 6), failure('t-0', 5), failure('t-1', 9)],
    };
    expect(kafkaResumeOffsets(response, batch)).toEqual(
      new Map([
        ['t-0', 5],
        ['t-1', 9],
      ]),
    );
  });

  it('accepts offsets serialised as strings', () => {
    expect(kafkaResumeOffsets({ batchItemFailures: [failure('t-0', '5')] }, batch)).toEqual(
      new Map([['t-0', 5]]),
    );
  });

  it.each([
    ['a failure for a partition not in the batch', { batchItemFailures: [failure('t-2', 4)] }],
    ['an offset not delivered', { batchItemFailures: [failure('t-0', 7)] }],
    ['a failure without identifier', { batchItemFailures: [{}] }],
    ['a list that is not a list', { batchItemFailures: 'all' }],
    ['a response that is not an object', 'failed'],
  ])('fails the whole batch for %s', (_, response) => {
    expect(kafkaResumeOffsets(response, batch)).toBeUndefined();
  });
});

describe('sqsFailedMessageIds', () => {
  const ids = ['m-1', 'm-2', 'm-3'];

  it('returns the reported ids, and none for a success', () => {
    expect(sqsFailedMessageIds({ batchItemFailures: [{ itemIdentifier: 'm-2' }] }, ids)).toEqual(
      new Set(['m-2']),
    );
    expect(sqsFailedMessageIds(null, ids)).toEqual(new Set());
    expect(sqsFailedMessageIds({ batchItemFailures: [] }, ids)).toEqual(new Set());
  });

  it.each([
    ['an unknown message id', { batchItemFailures: [{ itemIdentifier: 'm-9' }] }],
    ['an empty identifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null identifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a response that is an array', [{ itemIdentifier: 'm-1' }]],
  ])('fails the whole batch for %s', (_, response) => {
    expect(sqsFailedMessageIds(response, ids)).toBeUndefined();
  });
});
