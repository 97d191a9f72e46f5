/**
 * An in-memory SQS/S3 sink for the router's unit tests: the SQS of memory-sqs.ts and an S3
 * mock storing every object per key, with the messages sent read per queue URL.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { memorySqs } from './memory-sqs';

export function memorySink(sqs: SQSClient, s3: S3Client) {
  const { sent, mock: sqsMock } = memorySqs(sqs);
  const objects = new Map<string, string>();
  const s3Mock = mockClient(s3);
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
