/**
 * Provisioning from the topology against the real local services: every queue, redrive
 * policy, table and TTL the topology declares exists afterwards, and a rerun changes nothing.
 */
import { DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { queueTopology, TABLES } from '../../../functions/topology/topology';
import { provisionStage } from '../../../local/provision/stage';
import { applyLocalServiceEnv } from '../../../local/services/endpoints';

applyLocalServiceEnv();

describe('provisioning a stage from the topology', () => {
  it('creates every queue with its redrive policy, and every table with its TTL', async () => {
    const stage = `pv${Date.now().toString(36)}`;
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
  });
});
