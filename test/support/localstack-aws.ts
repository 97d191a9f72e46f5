/**
 * Client configuration for AWS SDK clients that talk to the local LocalStack: its endpoint,
 * its default region and the credentials it accepts.
 */
import { localEndpoints } from '../../local/services/endpoints';

/**
 * What every test client of LocalStack is built with.
 *
 * @example
 * ```ts
 * const lambda = new LambdaClient(LOCALSTACK_AWS);
 * ```
 */
export const LOCALSTACK_AWS = {
  endpoint: localEndpoints.localstack,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};
