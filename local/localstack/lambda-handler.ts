/**
 * A handler that is a deployed Lambda function: the local event-source emulation calls it as
 * it would call a handler module, and it invokes the function (RequestResponse) on
 * LocalStack — or AWS. This bridges Kafka to the deployed router where no MSK event source
 * mapping exists (LocalStack's free tier).
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

/** The function ran and threw (Lambda's `FunctionError`): the batch failed, as in Lambda. */
export class FunctionInvocationError extends Error {
  override readonly name = 'FunctionInvocationError';
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`${functionName} failed: ${errorType}: ${message}`);
  }
}

/**
 * @example
 * ```ts
 * const router = lambdaHandler(new LambdaClient({}), 'sluice-local-router');
 * await router(mskEvent); // the function's response, e.g. { batchItemFailures: [] }
 * ```
 */
export function lambdaHandler<TEvent, TResult>(
  lambda: LambdaClient,
  functionName: string,
): (event: TEvent) => Promise<TResult> {
  return async (event) => {
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
    const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
    if (response.FunctionError) {
      const error = safeParse(text) as { errorType?: string; errorMessage?: string } | undefined;
      throw new FunctionInvocationError(
        functionName,
        error?.errorType ?? response.FunctionError,
        error?.errorMessage ?? text,
      );
    }
    // A handler returning nothing comes back as the JSON `null`.
    return (text === '' ? undefined : (safeParse(text) ?? undefined)) as TResult;
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
