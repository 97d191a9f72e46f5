/**
 * Client configuration for AWS SDK clients that never reach AWS: unit tests mock them
 * (aws-sdk-client-mock or a test's own `send`), so the region is fixed and the credentials
 * are placeholders that keep the SDK from looking for real ones.
 */

/**
 * The region and placeholder credentials every offline test client is built with.
 *
 * @example
 * ```ts
 * const sqs = new SQSClient(OFFLINE_AWS);
 * ```
 */
export const OFFLINE_AWS = {
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
} as const;
