import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  FunctionInvocationError,
  lambdaHandler,
} from '../../../../local/localstack/lambda-handler';

const lambda = mockClient(LambdaClient);
// The SDK wraps response bytes in a blob adapter; the handler only reads them as bytes.
const payload = (value: unknown) =>
  new TextEncoder().encode(JSON.stringify(value)) as InvokeCommandOutput['Payload'];

describe('a deployed function as a handler', () => {
  beforeEach(() => lambda.reset());

  it('invokes synchronously with the event and returns the parsed response', async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: payload({ batchItemFailures: [] }) });
    const handler = lambdaHandler<object, object>(new LambdaClient({}), 'sluice-local-router');
    expect(await handler({ records: { 't-0': [] } })).toEqual({ batchItemFailures: [] });
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input?.FunctionName).toBe('sluice-local-router');
    expect(input?.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(Buffer.from(input?.Payload as Uint8Array).toString())).toEqual({
      records: { 't-0': [] },
    });
  });

  it('returns undefined for a handler that returned nothing', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(null) });
    expect(await lambdaHandler(new LambdaClient({}), 'f')({})).toBeUndefined();
  });

  it('throws when the function threw, naming its error', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload({ errorType: 'TransientError', errorMessage: 'SQS throttled' }),
    });
    const call = lambdaHandler(new LambdaClient({}), 'sluice-local-router')({});
    await expect(call).rejects.toBeInstanceOf(FunctionInvocationError);
    await expect(call).rejects.toThrow('sluice-local-router failed: TransientError: SQS throttled');
  });
});
