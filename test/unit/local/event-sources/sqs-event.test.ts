import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { regionOfArn, sqsRecordFrom } from '../../../../local/event-sources/sqs-event';

const source = { eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:my-queue' };

describe('sqsRecordFrom', () => {
  it('builds the record of the AWS documentation sample from the SDK message', () => {
    const message: Message = {
      MessageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
      ReceiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a',
      Body: 'test',
      MD5OfBody: '098f6bcd4621d373cade4e832627b4f6',
      Attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1545082649183',
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: '1545082649185',
      },
    };
    expect(sqsRecordFrom(message, source)).toEqual({
      messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
      receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a',
      body: 'test',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1545082649183',
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: '1545082649185',
      },
      messageAttributes: {},
      md5OfBody: '098f6bcd4621d373cade4e832627b4f6',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:my-queue',
      awsRegion: 'us-east-2',
    });
  });

  it('converts message attributes to camel case, binary values to base64', () => {
    const record = sqsRecordFrom(
      {
        MessageId: 'm',
        ReceiptHandle: 'r',
        Body: '{}',
        MD5OfMessageAttributes: 'abc',
        Attributes: { ApproximateReceiveCount: '3', DeadLetterQueueSourceArn: 'arn:aws:sqs:x:1:q' },
        MessageAttributes: {
          stage: { DataType: 'String', StringValue: 'dev' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 255]) },
        },
      },
      source,
    );
    expect(record.messageAttributes).toEqual({
      stage: { stringValue: 'dev', stringListValues: [], binaryListValues: [], dataType: 'String' },
      blob: { binaryValue: 'AQL/', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    expect(record.attributes.ApproximateReceiveCount).toBe('3');
    expect(record.attributes.DeadLetterQueueSourceArn).toBe('arn:aws:sqs:x:1:q');
    expect(record.md5OfMessageAttributes).toBe('abc');
  });

  it('refuses a message without id or receipt handle, and an ARN without region', () => {
    expect(() => sqsRecordFrom({ Body: 'x' }, source)).toThrow(/MessageId/);
    expect(() => regionOfArn('not-an-arn')).toThrow(/region/);
  });
});
