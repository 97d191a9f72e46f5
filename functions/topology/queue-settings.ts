/**
 * Settings of the queues a function consumes that the CDK stacks and local provisioning
 * both apply, so a local queue behaves as the deployed one (a slow invocation is not
 * redelivered while it still runs).
 */

/**
 * The replay function and its SQS mapping (the ingest DLQ's redrive target): a minute per
 * batch of ten dead letters at most; after five receives SQS moves a message back to the
 * ingest DLQ.
 */
export const REPLAY_SETTINGS = { timeoutSeconds: 60, batchSize: 10, maxReceiveCount: 5 } as const;

/**
 * A source queue's visibility timeout: Lambda rejects an SQS mapping whose function timeout
 * exceeds it, and AWS recommends six times the timeout plus the batching window.
 *
 * @example
 * ```ts
 * visibilityTimeoutSeconds(60, 5); // 365
 * ```
 */
export function visibilityTimeoutSeconds(timeoutSeconds: number, batchingWindowSeconds: number) {
  return 6 * timeoutSeconds + batchingWindowSeconds;
}
