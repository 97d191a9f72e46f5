/**
 * The index setup custom resource: templates, versioned indexes and aliases
 * (`functions/targets/opensearch/setup-handler.ts`), run on every deploy whose index
 * definitions or shard settings changed, as the domain's master role.
 */
import { createHash } from 'node:crypto';
import { CustomResource, Duration } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { INDEX_SPECS } from '../../../functions/targets/opensearch/indexes/index-specs';
import type { StageConfig } from '../../config/schema';
import { customResourceProvider } from '../../constructs/custom-resource-provider';
import { SluiceFunction, type SluiceFunctionProps } from '../../constructs/sluice-function';
import { logRetention, namer } from '../../stacks/stack-helpers';
import { StackPart } from '../../stacks/stack-part';

/** A digest of the index definitions: a changed mapping re-runs the setup on deploy. */
export function indexSpecsDigest(): string {
  return createHash('sha256').update(JSON.stringify(INDEX_SPECS)).digest('hex').slice(0, 16);
}

export interface IndexSetupProps {
  readonly config: StageConfig;
  readonly codeVersion: string;
  /** SLUICE_STAGE, SLUICE_OPENSEARCH_URL, SLUICE_OPENSEARCH_MODE. */
  readonly environment: Record<string, string>;
  readonly vpc: NonNullable<SluiceFunctionProps['vpc']>;
  /** The domain's master role: the setup function runs as it. */
  readonly adminRole: Role;
}

/**
 * @example
 * ```ts
 * new IndexSetup(stack, 'IndexSetupResource', {
 *   config, codeVersion: 'abc123', environment, vpc: functionVpc, adminRole,
 * });
 * ```
 */
export class IndexSetup extends StackPart {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: IndexSetupProps) {
    super(scope, id);
    const { config } = props;
    const search = config.search;
    const setup = new SluiceFunction(this, 'IndexSetup', {
      functionName: namer(config)('index-setup'),
      entry: 'functions/targets/opensearch/setup-handler.ts',
      description: 'Custom resource: index templates, versioned indexes and aliases',
      codeVersion: props.codeVersion,
      timeout: Duration.minutes(15),
      memorySize: 256,
      logRetention: logRetention(config),
      environment: props.environment,
      role: props.adminRole,
      vpc: props.vpc,
    });
    const setupProvider = customResourceProvider(
      this,
      'IndexSetupProvider',
      setup.function,
      logRetention(config),
    );
    this.resource = new CustomResource(this, 'Indexes', {
      serviceToken: setupProvider.serviceToken,
      resourceType: 'Custom::SluiceIndexes',
      properties: {
        Stage: config.stage,
        Shards: String(search.shards),
        Replicas: String(search.replicas),
        Reindex: String(search.reindexOnDeploy),
        SpecsDigest: indexSpecsDigest(),
      },
    });
  }
}
