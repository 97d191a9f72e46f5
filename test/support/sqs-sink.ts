/**
 * An in-memory SQS/S3 sink for unit tests: aws-sdk-client-mock on the given clients,
 * storing every sent entry per queue URL and every stored object per key.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';

export interface SentMessage {
  queueUrl: string;
  body: string;
  attributes: Record<string, string>;
}

export function memorySink(sqs: SQSClient, s3: S3Client) {
  const sent: SentMessage[] = [];
  const objects = new Map<string, string>();
  const sqsMock = mockClient(sqs);
  const s3Mock = mockClient(s3);
  sqsMock.on(SendMessageBatchCommand).callsFake((input) => {
    for (const entry of input.Entries ?? []) {
      const attributes: Record<string, string> = {};
      for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
        attributes[name] = (value as { StringValue: string }).StringValue;
      }
      sent.push({ queueUrl: input.QueueUrl, body: entry.MessageBody, attributes });
    }
    return {
      Successful: (input.Entries ?? []).map((e: { Id: string }) => ({ Id: e.Id })),
      Failed: [],
    };
  });
  s3Mock.on(PutObjectCommand).callsFake((input) => {
    objects.set(`${input.Bucket}/${input.Key}`, Buffer.from(input.Body).toString('utf8'));
    return {};
  });
  s3Mock.on(GetObjectCommand).callsFake((input) => {
    const text = objects.get(`${input.Bucket}/${input.Key}`);
    if (text === undefined)
      throw Object.assign(new Error('NoSuchKey'), {
        name: 'NoSuchKey',
        $fault: 'client',
        $metadata: { httpStatusCode: 404 },
      });
    // Only transformToString is used by the code under test.
    return { Body: { transformToString: async () => text } } as never;
  });
  const on = (queueUrl: string) => sent.filter((m) => m.queueUrl === queueUrl);
  const bodies = <T>(queueUrl: string) => on(queueUrl).map((m) => JSON.parse(m.body) as T);
  return { sent, objects, sqsMock, s3Mock, on, bodies };
}
