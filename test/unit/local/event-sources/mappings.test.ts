import { describe, expect, it } from 'vitest';
import {
  InvalidMappingError,
  resolveKafkaMapping,
  resolveSqsMapping,
} from '../../../../local/event-sources/mappings';
import { problemsOf } from '../../../support/problems';

const handler = async () => undefined;
const kafka = {
  name: 'router',
  topic: 'orders.events',
  consumerGroupId: 'group',
  bootstrapBrokers: ['127.0.0.1:9092'],
  handler,
};
const sqs = { name: 'job', queueUrl: 'http://127.0.0.1:9324/000000000000/q', handler };

const problems = (fn: () => unknown) => problemsOf(fn, InvalidMappingError);

describe('resolveKafkaMapping', () => {
  it("completes a mapping with Lambda's defaults and a local cluster ARN", () => {
    expect(resolveKafkaMapping(kafka, 'eu-west-1')).toMatchObject({
      batchSize: 100,
      maxBatchingWindowSeconds: 0.5,
      startingPosition: 'TRIM_HORIZON',
      reportBatchItemFailures: false,
      eventSourceArn: expect.stringMatching(/^arn:aws:kafka:eu-west-1:/),
    });
  });

  it('keeps given settings, ignoring ones set to undefined', () => {
    const resolved = resolveKafkaMapping(
      { ...kafka, batchSize: 10_000, retryDelayMs: undefined },
      'r',
    );
    expect(resolved.batchSize).toBe(10_000);
    expect(resolved.retryDelayMs).toBe(1000);
  });

  it('refuses what Lambda refuses, naming every problem', () => {
    const found = problems(() =>
      resolveKafkaMapping(
        { ...kafka, batchSize: 10_001, maxBatchingWindowSeconds: 301, timeoutSeconds: 900 },
        'r',
      ),
    );
    expect(found).toHaveLength(3);
    expect(found.join(' ')).toMatch(/batchSize.*maxBatchingWindowSeconds.*timeoutSeconds/);
  });
});

describe('resolveSqsMapping', () => {
  it("completes a mapping with Lambda's defaults and the local polling ones", () => {
    expect(resolveSqsMapping(sqs)).toMatchObject({
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 5,
      pollers: 5,
      pollWaitSeconds: 5,
      reportBatchItemFailures: false,
    });
    expect(resolveSqsMapping({ ...sqs, maxConcurrency: 2 }).pollers).toBe(2);
  });

  it('allows more than 10 messages per batch only with a batching window', () => {
    expect(problems(() => resolveSqsMapping({ ...sqs, batchSize: 11 }))).toHaveLength(1);
    expect(
      resolveSqsMapping({ ...sqs, batchSize: 10_000, maxBatchingWindowSeconds: 1 }).batchSize,
    ).toBe(10_000);
  });

  it('keeps maxConcurrency within 2–1000 and pollers within it', () => {
    expect(problems(() => resolveSqsMapping({ ...sqs, maxConcurrency: 1 })).join()).toMatch(
      /maxConcurrency/,
    );
    expect(
      problems(() => resolveSqsMapping({ ...sqs, maxConcurrency: 3, pollers: 4 })).join(),
    ).toMatch(/pollers/);
    expect(problems(() => resolveSqsMapping({ ...sqs, pollWaitSeconds: 21 })).join()).toMatch(
      /pollWaitSeconds/,
    );
  });
});
