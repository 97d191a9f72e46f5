/**
 * A stage of its own on the local services for one integration test file: the services'
 * environment applied, a unique stage name (noted for removal after the run), SQS and
 * DynamoDB clients for the local endpoints, and the stage provisioned before the file's
 * tests run.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll } from 'vitest';
import {
  type ProvisionedStage,
  type ProvisionOptions,
  provisionStage,
} from '../../local/provision/stage';
import { applyLocalServiceEnv } from '../../local/services/endpoints';
import { uniqueStage } from './stage';

/** The file's stage, its clients, and (once its `beforeAll` has run) what was provisioned. */
export interface LocalStage {
  readonly stage: string;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  /** What provisioning made; throws when read before the file's `beforeAll` has run. */
  readonly provisioned: ProvisionedStage;
  /** The URL of a provisioned queue by its logical name (`job-audit`, `job-audit-dlq`). */
  queueUrl(logical: string): string;
}

/**
 * Applies the local services' environment, names a unique stage from `prefix`, and registers
 * a `beforeAll` (default hook timeout) that provisions it with `options`. Call it at the top
 * of the test file, where the environment must be applied before other clients are made.
 *
 * @example
 * ```ts
 * const local = useLocalStage('rc', { indexes: false });
 * const { stage, sqs, dynamodb } = local;
 * const queue = () => local.queueUrl('job-record-commission');
 * ```
 */
export function useLocalStage(prefix: string, options: ProvisionOptions = {}): LocalStage {
  applyLocalServiceEnv();
  const stage = uniqueStage(prefix);
  let provisioned: ProvisionedStage | undefined;
  beforeAll(async () => {
    provisioned = await provisionStage(stage, options);
  });
  const made = (): ProvisionedStage => {
    if (provisioned === undefined) throw new Error(`stage ${stage} is not provisioned yet`);
    return provisioned;
  };
  return {
    stage,
    sqs: new SQSClient({}),
    dynamodb: new DynamoDBClient({}),
    get provisioned() {
      return made();
    },
    queueUrl: (logical) => made().queueUrls.get(logical) as string,
  };
}
