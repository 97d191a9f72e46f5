/**
 * The standard mappings of a provisioned stage, run against the real services with stand-in
 * handlers: a record on a topic reaches the router, a message on the replay queue the replay
 * handler, a job message its job's handler — and each is committed or deleted.
 */
import type { MSKEvent, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordsOf } from '../../../../functions/router/kafka-record';
import { jobQueues, ROUTER_QUEUES } from '../../../../functions/topology/topology';
import { startEventSources } from '../../../../local/event-sources/event-sources';
import { stageMappings } from '../../../../local/event-sources/stage-mappings';
import { type ProvisionedStage, provisionStage } from '../../../../local/provision/stage';
import { provisionTopics } from '../../../../local/provision/topics';
import { eventually } from '../../../support/eventually';
import { uniqueStage } from '../../../support/stage';
import { runName } from '../../../support/unique-name';
import { bootstrapBrokers, kafkaFixture } from './kafka-fixture';
import { sqsFixture } from './sqs-fixture';

const stage = uniqueStage('rt');
const kafka = kafkaFixture();
const queues = sqsFixture();
let provisioned: ProvisionedStage;
let topics: Map<string, string>;

beforeAll(async () => {
  provisioned = await provisionStage(stage, { indexes: false });
  topics = await provisionTopics(bootstrapBrokers, (key) => runName(`stage-${key}`));
});
afterAll(async () => {
  await kafka.admin.deleteTopics({ topics: [...topics.values()] }).catch(() => undefined);
  await kafka.close();
  await queues.close();
});

describe('stage mappings', () => {
  it('wire the topics, the replay queue and the jobs to their handlers', async () => {
    const routed: MSKEvent[] = [];
    const replayed: SQSEvent[] = [];
    const audited: SQSEvent[] = [];
    const { kafka: kafkaMappings, sqs } = stageMappings({
      stage,
      queueUrls: provisioned.queueUrls,
      bootstrapBrokers,
      topicName: (key) => runName(`stage-${key}`),
      router: { maxBatchingWindowSeconds: 0.2 },
      pollWaitSeconds: 1,
      handlers: {
        router: async (event) => {
          routed.push(event);
        },
        replay: async (event) => {
          replayed.push(event);
          return { batchItemFailures: [] };
        },
        jobs: {
          audit: async (event) => {
            audited.push(event);
            return { batchItemFailures: [] };
          },
        },
      },
    });
    const eventSources = await startEventSources({
      kafka: kafkaMappings,
      sqs,
      sqsClient: queues.sqs,
    });
    const ordersTopic = topics.get('orders') as string;
    const replayUrl = provisioned.queueUrls.get(ROUTER_QUEUES.replay) as string;
    const auditUrl = provisioned.queueUrls.get(jobQueues('audit').queue) as string;
    try {
      await kafka.produce(ordersTopic, [{ partition: 2, key: 'order-1', value: '{"hello":1}' }]);
      await queues.send(replayUrl, [{ MessageBody: 'replay-me' }]);
      await queues.send(auditUrl, [{ MessageBody: 'audit-me' }]);
      const group = kafkaMappings.find((m) => m.topic === ordersTopic)?.consumerGroupId as string;
      await eventually('the record committed and both queues empty', async () => {
        const committed = (await kafka.committed(group, ordersTopic)).get(2);
        const left = [await queues.counts(replayUrl), await queues.counts(auditUrl)];
        const empty = left.every((c) => c.visible + c.inFlight === 0);
        return committed === 1n && empty ? true : undefined;
      });
    } finally {
      await eventSources.stop();
    }
    expect(
      routed.flatMap((e) => recordsOf(e)).map((r) => [r.topic, r.partition, r.offset]),
    ).toEqual([[ordersTopic, 2, 0]]);
    expect(replayed.flatMap((e) => e.Records.map((r) => r.body))).toEqual(['replay-me']);
    expect(audited.flatMap((e) => e.Records.map((r) => r.body))).toEqual(['audit-me']);
  });
});
