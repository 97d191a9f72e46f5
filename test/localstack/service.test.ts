/**
 * LocalStack as a native service: healthy on 4566, Lambda functions run as local processes by
 * the sluice-process executor (environment, timeout, logs in CloudWatch Logs), DynamoDB served
 * by moto and linearizable, and a stop that ends every process LocalStack started.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { localEndpoints } from '../../local/services/endpoints';
import { servicePaths } from '../../local/services/paths';
import { readPidFile } from '../../local/services/pid-file';
import { processGroupMembers } from '../../local/services/processes';
import { servicesDown, servicesStatus, servicesUp } from '../../local/services/stack';
import { eventually } from '../support/eventually';
import { LOCALSTACK_AWS } from '../support/localstack-aws';
import { storedZip } from '../support/zip';

const aws = LOCALSTACK_AWS;
const lambda = new LambdaClient(aws);
const dynamodb = new DynamoDBClient(aws);
const logs = new CloudWatchLogsClient(aws);
const suffix = Date.now().toString(36);
const functionName = `sluice-service-test-${suffix}`;
const tableName = `sluice-service-test-${suffix}`;

afterAll(async () => {
  await lambda.send(new DeleteFunctionCommand({ FunctionName: functionName })).catch(() => {});
  await dynamodb.send(new DeleteTableCommand({ TableName: tableName })).catch(() => {});
});

async function invoke(payload: unknown) {
  const response = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(payload) }),
  );
  return {
    functionError: response.FunctionError,
    body: JSON.parse(Buffer.from(response.Payload ?? []).toString('utf8')) as Record<
      string,
      unknown
    >,
  };
}

describe('LocalStack as a native service', () => {
  it('is up and healthy, and listed by the status', async () => {
    const response = await fetch(`${localEndpoints.localstack}/_localstack/health`);
    expect(response.status).toBe(200);
    const status = (await servicesStatus()).find((s) => s.name === 'localstack');
    expect(status?.state).toMatch(/running|external/);
  });

  it('runs a Node.js function as a local process: environment, timeout, logs', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: functionName,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::000000000000:role/sluice-test',
        Timeout: 2,
        MemorySize: 256,
        Environment: { Variables: { SLUICE_SETTING: 'configured' } },
        Code: {
          ZipFile: storedZip({
            'index.js': `exports.handler = async (event, context) => {
              console.log('event', JSON.stringify(event));
              if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
              return { setting: process.env.SLUICE_SETTING, memory: context.memoryLimitInMB,
                       endpoint: process.env.AWS_ENDPOINT_URL, pid: process.pid };
            };`,
          }),
        },
      }),
    );
    await waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: 60 },
      { FunctionName: functionName },
    );
    const first = await invoke({ hello: 'world' });
    expect(first.functionError).toBeUndefined();
    expect(first.body).toMatchObject({
      setting: 'configured',
      memory: '256',
      endpoint: localEndpoints.localstack,
    });

    const slow = await invoke({ sleepMs: 5_000 });
    expect(slow.functionError).toBe('Unhandled');
    expect(slow.body.errorType).toBe('Sandbox.Timedout');
    expect(slow.body.errorMessage).toMatch(/Task timed out after 2\.00 seconds$/);
    // The timed-out handler process was replaced: the next invocation runs in a new one.
    const after = await invoke({ again: true });
    expect(after.functionError).toBeUndefined();
    expect(after.body.pid).not.toBe(first.body.pid);

    const messages = await eventually('the function logs in CloudWatch Logs', async () => {
      const events = await logs.send(
        new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}` }),
      );
      const text = (events.events ?? []).map((e) => e.message ?? '').join('');
      return text.includes('Status: timeout') && text.includes('"again":true') ? text : undefined;
    });
    expect(messages).toMatch(/^START RequestId: \S+ Version: \$LATEST$/m);
    expect(messages).toMatch(/\tINFO\tevent \{"hello":"world"\}$/m);
    expect(messages).toMatch(/^REPORT RequestId: \S+\tDuration: [\d.]+ ms\t.*Memory Size: 256 MB/m);
  }, 180_000);

  it('serves DynamoDB from moto, one request at a time: concurrent ADDs and conditional puts', async () => {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await Promise.all(
      Array.from({ length: 40 }, () =>
        dynamodb.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: { S: 'counter' } },
            UpdateExpression: 'ADD n :one',
            ExpressionAttributeValues: { ':one': { N: '1' } },
          }),
        ),
      ),
    );
    const counter = await dynamodb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'counter' } },
        ConsistentRead: true,
      }),
    );
    expect(counter.Item?.n?.N).toBe('40');
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        dynamodb.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { pk: { S: 'once' }, writer: { N: String(i) } },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
  });

  it('stops cleanly: no process it started outlives it', async () => {
    const record = await readPidFile(servicePaths('localstack').pidFile);
    if (record === undefined) throw new Error('LocalStack on 4566 was not started by sluice');
    // The function's init program and handler process live in LocalStack's process group.
    expect((await processGroupMembers(record.pid)).length).toBeGreaterThanOrEqual(3);
    const [down] = await servicesDown(['localstack']);
    // SIGTERM, then SIGKILL when LocalStack takes longer than 20 s to shut down (it waits for
    // its pollers); either way the whole group is gone.
    expect(down?.outcome).toMatch(/^(terminated|killed)$/);
    expect(await processGroupMembers(record.pid)).toEqual([]);
    await servicesUp(['localstack']); // for the next test file
  });
});
