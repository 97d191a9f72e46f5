/**
 * The `context` argument of a Node.js handler, from the invocation and the environment
 * variables LocalStack gives the execution environment.
 */
import type { Context } from 'aws-lambda';
import type { InvokeMessage } from './ipc-messages';

/**
 * @example
 * ```ts
 * const context = lambdaContext(message, process.env);
 * context.getRemainingTimeInMillis(); // until message.deadlineMs
 * ```
 */
export function lambdaContext(
  invocation: InvokeMessage,
  env: NodeJS.ProcessEnv,
  now: () => number = Date.now,
): Context {
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name} is not supported (legacy API)`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? '',
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    invokedFunctionArn: invocation.invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: invocation.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
    getRemainingTimeInMillis: () => Math.max(0, invocation.deadlineMs - now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
