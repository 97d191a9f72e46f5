/**
 * Fine-grained access for the workers that write to OpenSearch: the provider of the custom
 * resource (search stack; `functions/targets/opensearch/access/handler.ts`, run as the
 * domain's master role) and the resource itself (pipeline stack), which maps each worker's
 * IAM role to a write-only security role on the indexes its job declares.
 */
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  type IndexWriter,
  securityRoles,
} from '../../../functions/targets/opensearch/access/access-roles';
import { customResourceProvider } from '../../constructs/custom-resource-provider';
import { SluiceFunction } from '../../constructs/sluice-function';
import { logRetention, namer } from '../../stacks/stack-helpers';
import { StackPart } from '../../stacks/stack-part';
import type { JobWorker } from '../../workers/job-worker';
import type { IndexSetupProps } from './index-setup';

/** What the index setup takes: the access function, too, runs as the domain's master role. */
export type AccessSetupProps = IndexSetupProps;

/**
 * The provider of `Custom::SluiceOpenSearchAccess`.
 *
 * @example
 * ```ts
 * const { serviceToken } = new AccessSetup(stack, 'AccessSetupProvider', {
 *   config, codeVersion: 'abc123', environment, vpc: functionVpc, adminRole,
 * });
 * ```
 */
export class AccessSetup extends StackPart {
  readonly serviceToken: string;

  constructor(scope: Construct, id: string, props: AccessSetupProps) {
    super(scope, id);
    const { config } = props;
    const access = new SluiceFunction(this, 'AccessSetup', {
      functionName: namer(config)('opensearch-access'),
      entry: 'functions/targets/opensearch/access/handler.ts',
      description: 'Custom resource: maps worker roles to write-only OpenSearch security roles',
      codeVersion: props.codeVersion,
      timeout: Duration.minutes(2),
      memorySize: 256,
      logRetention: logRetention(config),
      environment: props.environment,
      role: props.adminRole,
      vpc: props.vpc,
    });
    const accessProvider = customResourceProvider(
      this,
      'AccessProvider',
      access.function,
      logRetention(config),
    );
    this.serviceToken = accessProvider.serviceToken;
  }
}

export interface WorkerSearchAccessProps {
  readonly stage: string;
  /** The {@link AccessSetup} provider's service token (from the search stack). */
  readonly serviceToken: string;
  /** The workers by job, and the indexes each job writes. */
  readonly workers: readonly {
    readonly job: string;
    readonly worker: JobWorker;
    readonly indexes: IndexWriter['indexes'];
  }[];
}

/**
 * `Custom::SluiceOpenSearchAccess`: maps the workers' roles to write-only OpenSearch roles,
 * before any worker polls its queue.
 *
 * @example
 * ```ts
 * new WorkerSearchAccess(stack, 'WorkerSearchAccess', {
 *   stage: 'dev', serviceToken, workers: [{ job: 'audit', worker, indexes: ['audit'] }],
 * });
 * ```
 */
export class WorkerSearchAccess extends StackPart {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: WorkerSearchAccessProps) {
    super(scope, id);
    const writers = props.workers.map(({ job, worker, indexes }) => ({
      name: `job-${job}`,
      roleArn: worker.function.role?.roleArn ?? '',
      indexes,
    }));
    this.resource = new CustomResource(this, 'OpenSearchAccess', {
      serviceToken: props.serviceToken,
      resourceType: 'Custom::SluiceOpenSearchAccess',
      properties: { Roles: Stack.of(this).toJsonString(securityRoles(props.stage, writers)) },
    });
    // No worker polls its queue before it may write its indexes.
    for (const { worker } of props.workers) {
      for (const child of worker.function.node.children) {
        if (child.node.id.startsWith('SqsEventSource')) child.node.addDependency(this.resource);
      }
    }
  }
}
