/**
 * An MSK cluster for stages that do not import one: Serverless or provisioned, IAM
 * authentication and TLS only, in the stage's VPC, with the topics of the topology. Its
 * security group comes from the network stack (Lambda's pollers use it to reach the
 * brokers and the STS and Lambda endpoints).
 */
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnCluster, CfnServerlessCluster, CfnTopic } from 'aws-cdk-lib/aws-msk';
import type { Construct } from 'constructs';
import { TOPICS, type TopicKey } from '../../functions/topology/topology';
import type { StageConfig } from '../config/schema';
import { logRetention, namer } from './stack-helpers';

export interface KafkaStackProps extends StackProps {
  readonly config: StageConfig;
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  /** From the network stack, which also lets it reach the STS and Lambda endpoints. */
  readonly clusterSecurityGroup: ISecurityGroup;
}

export class KafkaStack extends Stack {
  readonly clusterArn: string;
  /** The topic resources: the router's mappings wait for them. */
  readonly topics: CfnTopic[] = [];

  constructor(scope: Construct, id: string, props: KafkaStackProps) {
    super(scope, id, props);
    const { config } = props;
    const kafka = config.kafka;
    if (kafka.mode !== 'serverless' && kafka.mode !== 'provisioned') {
      throw new Error(`KafkaStack creates clusters only; kafka.mode is ${kafka.mode}`);
    }
    const name = namer(config);
    const subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;
    const securityGroups = [props.clusterSecurityGroup.securityGroupId];

    let replicationFactor: number;
    if (kafka.mode === 'serverless') {
      const cluster = new CfnServerlessCluster(this, 'Cluster', {
        clusterName: name('kafka'),
        clientAuthentication: { sasl: { iam: { enabled: true } } },
        vpcConfigs: [{ subnetIds, securityGroups }],
      });
      this.clusterArn = cluster.attrArn;
      // MSK Serverless replicates every partition three times.
      replicationFactor = 3;
    } else {
      const brokerLogs = new LogGroup(this, 'BrokerLogs', {
        retention: logRetention(config),
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const cluster = new CfnCluster(this, 'Cluster', {
        clusterName: name('kafka'),
        kafkaVersion: kafka.kafkaVersion,
        numberOfBrokerNodes: kafka.brokerNodes,
        brokerNodeGroupInfo: {
          clientSubnets: subnetIds,
          instanceType: kafka.instanceType,
          securityGroups,
          storageInfo: { ebsStorageInfo: { volumeSize: kafka.volumeGiB } },
        },
        clientAuthentication: {
          sasl: { iam: { enabled: true } },
          unauthenticated: { enabled: false },
        },
        encryptionInfo: { encryptionInTransit: { clientBroker: 'TLS', inCluster: true } },
        loggingInfo: {
          brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: brokerLogs.logGroupName } },
        },
      });
      this.clusterArn = cluster.attrArn;
      replicationFactor = Math.min(3, kafka.brokerNodes);
    }

    if (kafka.createTopics) {
      for (const key of Object.keys(TOPICS) as TopicKey[]) {
        this.topics.push(
          new CfnTopic(this, `Topic-${key}`, {
            clusterArn: this.clusterArn,
            topicName: config.topics[key],
            partitionCount: TOPICS[key].partitions,
            replicationFactor,
          }),
        );
      }
    }
  }
}
