import { describe, expect, it } from 'vitest';
import { jobQueues, ROUTER_QUEUES, TOPICS } from '../../../../functions/topology/topology';
import { JOBS } from '../../../../functions/workers/jobs';
import { resolveKafkaMapping, resolveSqsMapping } from '../../../../local/event-sources/mappings';
import { stageMappings } from '../../../../local/event-sources/stage-mappings';

const urlOf = (name: string) => `http://127.0.0.1:9324/000000000000/sluice-dev-${name}`;
const queueUrls = new Map(
  [ROUTER_QUEUES.replay, ...Object.keys(JOBS).map((job) => `job-${job}`)].map((n) => [n, urlOf(n)]),
);
const router = async () => undefined;
const replay = async () => undefined;
const audit = async () => undefined;
const indexProduct = async () => undefined;

describe('stageMappings', () => {
  const built = stageMappings({
    stage: 'dev',
    queueUrls,
    bootstrapBrokers: ['127.0.0.1:9092'],
    handlers: { router, replay, jobs: { audit, 'index-product': indexProduct } },
  });

  it('maps every topic to the router with its own consumer group, as the CDK stack names it', () => {
    expect(built.kafka.map((m) => m.topic)).toEqual(Object.values(TOPICS).map((t) => t.name));
    expect(built.kafka.find((m) => m.topic === 'orders.events')).toMatchObject({
      consumerGroupId: 'sluice-dev-router-orders-events',
      handler: router,
      batchSize: 500,
      maxBatchingWindowSeconds: 1,
      reportBatchItemFailures: false,
    });
    expect(new Set(built.kafka.map((m) => m.consumerGroupId)).size).toBe(built.kafka.length);
  });

  it('maps the replay queue and each job that has a handler, with the job settings', () => {
    expect(built.sqs.map((m) => m.name)).toEqual(['replay', 'job:index-product', 'job:audit']);
    expect(built.sqs[0]).toMatchObject({ queueUrl: urlOf(ROUTER_QUEUES.replay), handler: replay });
    const settings = JOBS['index-product'].settings;
    expect(built.sqs[1]).toMatchObject({
      queueUrl: urlOf(jobQueues('index-product').queue),
      handler: indexProduct,
      batchSize: settings.batchSize,
      maxBatchingWindowSeconds: settings.maxBatchingWindowSeconds,
      maxConcurrency: settings.maxConcurrency,
      timeoutSeconds: settings.timeoutSeconds,
      reportBatchItemFailures: true,
    });
    expect(built.unmappedJobs).toEqual([
      'record-commission',
      'detect-login-abuse',
      'sync-customer',
    ]);
  });

  it('builds only mappings Lambda would accept', () => {
    for (const m of built.kafka) expect(() => resolveKafkaMapping(m, 'us-east-1')).not.toThrow();
    for (const m of built.sqs) expect(() => resolveSqsMapping(m)).not.toThrow();
  });

  it('uses per-run topic names and router settings when given', () => {
    const custom = stageMappings({
      stage: 'it',
      queueUrls,
      bootstrapBrokers: ['b:9092'],
      handlers: { router, replay, jobs: {} },
      topicName: (key) => `run-${key}`,
      router: { batchSize: 7, reportBatchItemFailures: true },
      pollWaitSeconds: 1,
    });
    expect(custom.kafka.map((m) => m.topic)).toEqual(Object.keys(TOPICS).map((k) => `run-${k}`));
    expect(custom.kafka[0]).toMatchObject({ batchSize: 7, reportBatchItemFailures: true });
    expect(custom.sqs.every((m) => m.pollWaitSeconds === 1)).toBe(true);
  });

  it('says which queue is missing when the stage was not provisioned', () => {
    expect(() =>
      stageMappings({
        stage: 'dev',
        queueUrls: new Map(),
        bootstrapBrokers: [],
        handlers: { router, replay, jobs: {} },
      }),
    ).toThrow(/ingest-replay/);
  });
});
