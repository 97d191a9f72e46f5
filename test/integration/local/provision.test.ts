/**
 * Provisioning from the topology against the real local services: every queue, redrive
 * policy, table, TTL, index alias and Kafka topic the topology declares exists afterwards, and
 * a rerun changes nothing.
 */
import { DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Admin } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { openSearchClientFromEnv } from '../../../functions/targets/opensearch/client';
import { resourceName } from '../../../functions/topology/naming';
import { queueTopology } from '../../../functions/topology/queue-topology';
import { INDEXES, jobQueues, TABLES, TOPICS } from '../../../functions/topology/topology';
import { JOB_NAMES, JOBS } from '../../../functions/workers/jobs';
import { removeStageIndexes } from '../../../local/provision/indexes';
import { provisionStage } from '../../../local/provision/stage';
import { provisionTopics } from '../../../local/provision/topics';
import { applyLocalServiceEnv, localEndpoints } from '../../../local/services/endpoints';
import { uniqueStage } from '../../support/stage';

applyLocalServiceEnv();

describe('provisioning a stage from the topology', () => {
  it('creates every queue with its redrive policy, and every table with its TTL', async () => {
    const stage = uniqueStage('pv');
    const first = await provisionStage(stage);
    const again = await provisionStage(stage);
    expect([...again.queueUrls]).toEqual([...first.queueUrls]);

    const sqs = new SQSClient({});
    for (const spec of queueTopology()) {
      const url = first.queueUrls.get(spec.name) as string;
      expect(url).toContain(`sluice-${stage}-${spec.name}`);
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
      );
      if (spec.deadLetterQueue) {
        const policy = JSON.parse(Attributes.RedrivePolicy ?? '{}');
        expect(policy.deadLetterTargetArn).toContain(`sluice-${stage}-${spec.deadLetterQueue}`);
        expect(Number(policy.maxReceiveCount)).toBe(spec.maxReceiveCount);
        // The CDK stacks' rule: 6 × the consumer's timeout + its batching window.
        const job = JOB_NAMES.find((name) => jobQueues(name).queue === spec.name);
        const consumer = job
          ? JOBS[job].settings
          : { timeoutSeconds: 60, maxBatchingWindowSeconds: 0 };
        expect(Number(Attributes.VisibilityTimeout), spec.name).toBe(
          6 * consumer.timeoutSeconds + consumer.maxBatchingWindowSeconds,
        );
      } else {
        expect(Attributes.RedrivePolicy).toBeUndefined();
        // ElasticMQ does not report per-queue retention; SQS and LocalStack do.
        if (Attributes.MessageRetentionPeriod !== undefined) {
          expect(Attributes.MessageRetentionPeriod).toBe('1209600');
        }
      }
    }

    const dynamodb = new DynamoDBClient({});
    for (const [key, table] of Object.entries(TABLES)) {
      const name = first.tables.get(key) as string;
      const { TimeToLiveDescription } = await dynamodb.send(
        new DescribeTimeToLiveCommand({ TableName: name }),
      );
      const expected = 'ttl' in table ? table.ttl : undefined;
      expect(TimeToLiveDescription?.AttributeName, name).toBe(expected);
    }

    const search = openSearchClientFromEnv(process.env);
    try {
      for (const key of Object.keys(INDEXES) as Array<keyof typeof INDEXES>) {
        const alias = resourceName(stage, INDEXES[key]);
        expect(first.indexes.get(key)?.alias).toBe(alias);
        expect((await search.indices.existsAlias({ name: alias })).statusCode, alias).toBe(200);
      }
    } finally {
      await removeStageIndexes(search, stage);
      await search.close();
    }
  });

  it("creates the topology's topics with their partition counts, idempotently", async () => {
    const prefix = `pv${Date.now().toString(36)}`;
    const name = (key: keyof typeof TOPICS) => `${prefix}.${TOPICS[key].name}`;
    await provisionTopics(localEndpoints.kafkaBrokers, name);
    const names = await provisionTopics(localEndpoints.kafkaBrokers, name);
    const admin = new Admin({
      clientId: 'sluice-it',
      bootstrapBrokers: [...localEndpoints.kafkaBrokers],
    });
    try {
      const metadata = await admin.metadata({ topics: [...names.values()] });
      for (const key of Object.keys(TOPICS) as Array<keyof typeof TOPICS>) {
        expect(metadata.topics.get(name(key))?.partitionsCount, name(key)).toBe(
          TOPICS[key].partitions,
        );
      }
    } finally {
      await admin.deleteTopics({ topics: [...names.values()] }).catch(() => undefined);
      await admin.close();
    }
  });
});
