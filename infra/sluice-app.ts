/**
 * Every stack of a stage, wired together: network → kafka (when created) → search → data →
 * pipeline → observability. The CDK app and the infra tests build the same tree.
 */
import { type Environment, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from './config/schema';
import { DataStack } from './stacks/data-stack';
import { KafkaStack } from './stacks/kafka-stack';
import { NetworkStack } from './stacks/network-stack';
import { ObservabilityStack } from './stacks/observability-stack';
import { PipelineStack } from './stacks/pipeline-stack';
import { SearchStack } from './stacks/search-stack';
import { stackName } from './stacks/stack-helpers';

export interface SluiceStacks {
  readonly network: NetworkStack;
  readonly kafka?: KafkaStack;
  readonly search: SearchStack;
  readonly data: DataStack;
  readonly pipeline: PipelineStack;
  readonly observability: ObservabilityStack;
}

/**
 * @example
 * ```ts
 * const app = new App();
 * const stacks = buildSluiceStacks(app, readStageConfig(app.node), gitCodeVersion());
 * stacks.pipeline.router;
 * ```
 */
export function buildSluiceStacks(
  scope: Construct,
  config: StageConfig,
  codeVersion: string,
): SluiceStacks {
  const env: Environment | undefined =
    config.account || config.region
      ? { account: config.account, region: config.region }
      : undefined;
  const common = { env, config };
  const id = (part: string) => stackName(config.stage, part);
  const network = new NetworkStack(scope, id('network'), {
    ...common,
    description: `Sluice ${config.stage}: VPC, endpoints and security groups`,
  });
  const kafka =
    config.kafka.mode === 'serverless' || config.kafka.mode === 'provisioned'
      ? new KafkaStack(scope, id('kafka'), {
          ...common,
          description: `Sluice ${config.stage}: MSK cluster and topics`,
          vpc: network.vpc,
          subnets: network.privateSubnets,
          clusterSecurityGroup: network.kafkaSecurityGroup,
        })
      : undefined;
  const search = new SearchStack(scope, id('search'), {
    ...common,
    description: `Sluice ${config.stage}: OpenSearch domain, index setup, access mapping`,
    codeVersion,
    vpc: network.vpc,
    subnets: network.privateSubnets,
    functionSecurityGroup: network.functionSecurityGroup,
  });
  const data = new DataStack(scope, id('data'), {
    ...common,
    description: `Sluice ${config.stage}: DynamoDB tables`,
  });
  const kafkaClusterArn =
    config.kafka.mode === 'import' ? config.kafka.clusterArn : kafka?.clusterArn;
  const pipeline = new PipelineStack(scope, id('pipeline'), {
    ...common,
    description: `Sluice ${config.stage}: queues, router, replay and job workers`,
    codeVersion,
    vpc: network.vpc,
    subnets: network.privateSubnets,
    functionSecurityGroup: network.functionSecurityGroup,
    ...(kafkaClusterArn ? { kafkaClusterArn } : {}),
    search: {
      endpointUrl: search.endpointUrl,
      domainArn: search.domainArn,
      ...(search.accessServiceToken ? { accessServiceToken: search.accessServiceToken } : {}),
    },
  });
  // Grants name the tables, so the tables must exist first.
  pipeline.addStackDependency(data);
  const observability = new ObservabilityStack(scope, id('observability'), {
    ...common,
    description: `Sluice ${config.stage}: alarms, ops topic and dashboard`,
    hasKafka: kafkaClusterArn !== undefined,
  });
  observability.addStackDependency(pipeline);
  Tags.of(scope).add('project', 'sluice');
  Tags.of(scope).add('sluice:stage', config.stage);
  return { network, ...(kafka ? { kafka } : {}), search, data, pipeline, observability };
}
