import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourceName } from '../../functions/topology/naming';
import { jobQueues, ROUTER_QUEUES } from '../../functions/topology/topology';
import { JOB_NAMES, JOBS } from '../../functions/workers/jobs';
import { resourcesOf, type SynthesizedStage, synthStage } from './support/synth';

const DAY = 86_400;
let stage: SynthesizedStage;
type QueueProps = Record<string, unknown> & {
  QueueName: string;
  RedrivePolicy?: { deadLetterTargetArn: unknown; maxReceiveCount: number };
  RedriveAllowPolicy?: { redrivePermission: string; sourceQueueArns: unknown[] };
};
let queues: Map<string, { logicalId: string; props: QueueProps }>;

beforeAll(() => {
  stage = synthStage({ queues: { sourceRetentionDays: 5, dlqRetentionDays: 13 } });
  const template = stage.template(stage.stacks.pipeline);
  queues = new Map(
    Object.entries(resourcesOf(template, 'AWS::SQS::Queue')).map(([logicalId, r]) => {
      const props = r.Properties as QueueProps;
      return [props.QueueName, { logicalId, props }];
    }),
  );
});

const name = (logical: string) => resourceName('test', logical);
const queue = (logical: string) => {
  const found = queues.get(name(logical));
  if (!found) throw new Error(`no queue ${logical}`);
  return found;
};

describe('queues from the job definitions', () => {
  it('creates exactly a queue and a DLQ per job plus the replay queue and the ingest DLQ', () => {
    const expected = [
      ROUTER_QUEUES.replay,
      ROUTER_QUEUES.ingestDlq,
      ...JOB_NAMES.flatMap((job) => Object.values(jobQueues(job))),
    ].map(name);
    expect([...queues.keys()].sort()).toEqual(expected.sort());
  });

  it.each(JOB_NAMES)('%s: redrive, retention and visibility follow its definition', (job) => {
    const { queue: source, dlq } = jobQueues(job);
    const settings = JOBS[job].settings;
    const q = queue(source).props;
    const d = queue(dlq);
    expect(q.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [d.logicalId, 'Arn'] },
      maxReceiveCount: settings.maxReceiveCount,
    });
    expect(settings.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(q.VisibilityTimeout).toBeGreaterThanOrEqual(6 * settings.timeoutSeconds);
    expect(q.MessageRetentionPeriod).toBe(5 * DAY);
    expect(d.props.MessageRetentionPeriod).toBe(13 * DAY);
    // Every retry of the backoff schedule happens while the message is still retained.
    expect(settings.maxAttempts * settings.backoff.capSeconds).toBeLessThan(5 * DAY);
    expect(d.props.RedriveAllowPolicy).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':sqs:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              `:${name(source)}`,
            ],
          ],
        },
      ],
    });
  });

  it('makes the ingest DLQ the replay queue’s DLQ, so console redrive can target the replay queue', () => {
    const replay = queue(ROUTER_QUEUES.replay).props;
    const ingest = queue(ROUTER_QUEUES.ingestDlq);
    expect(replay.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [ingest.logicalId, 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(ingest.props.RedriveAllowPolicy).toMatchObject({ redrivePermission: 'byQueue' });
    expect(replay.VisibilityTimeout).toBe(6 * 60);
  });

  it('encrypts every queue and refuses plain HTTP', () => {
    const template = stage.template(stage.stacks.pipeline);
    for (const { props } of queues.values()) expect(props.SqsManagedSseEnabled).toBe(true);
    const policies = resourcesOf(template, 'AWS::SQS::QueuePolicy');
    expect(Object.keys(policies)).toHaveLength(queues.size);
    template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('claim-check bucket', () => {
  it('is encrypted, private, TLS-only, and expires claim checks after the DLQs do', () => {
    const template = stage.template(stage.stacks.pipeline);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'expire-claim-checks', ExpirationInDays: 30, Status: 'Enabled' }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    expect(stage.config.claimCheckExpirationDays).toBeGreaterThan(13);
  });
});
