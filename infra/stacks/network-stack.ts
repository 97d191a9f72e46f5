/**
 * The VPC the router, the OpenSearch workers, the MSK cluster and the domain live in: a new
 * one (isolated subnets with the VPC endpoints the functions and the MSK event source need,
 * or private subnets behind NAT), or an existing one imported by attributes — never looked
 * up, so synth needs no credentials.
 */
import { RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/schema';
import { logRetention } from './stack-helpers';

/** MSK's port for IAM-authenticated TLS clients. */
export const MSK_IAM_PORT = 9098;

/** Interface endpoints in `endpoints` mode: SQS for the functions; STS and Lambda for MSK's event source pollers. */
export const INTERFACE_ENDPOINTS = {
  Sqs: InterfaceVpcEndpointAwsService.SQS,
  Sts: InterfaceVpcEndpointAwsService.STS,
  Lambda: InterfaceVpcEndpointAwsService.LAMBDA,
} as const;

export interface NetworkStackProps extends StackProps {
  readonly config: StageConfig;
}

export class NetworkStack extends Stack {
  readonly vpc: IVpc;
  /** Where functions, the cluster and the domain get their network interfaces. */
  readonly privateSubnets: SubnetSelection;
  /** Sluice's functions inside the VPC: HTTPS out (endpoints, domain), nothing in. */
  readonly functionSecurityGroup: SecurityGroup;
  /**
   * A created MSK cluster's brokers and the Lambda event source pollers, which use the
   * cluster's group: it admits itself on the IAM port and reaches STS and Lambda.
   */
  readonly kafkaSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { network } = props.config;
    if (network.mode === 'import') {
      this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: network.vpcId,
        vpcCidrBlock: network.vpcCidrBlock,
        availabilityZones: network.availabilityZones,
        privateSubnetIds: network.privateSubnetIds,
      });
      this.privateSubnets = { subnets: this.vpc.privateSubnets };
      this.functionSecurityGroup = this.functionGroup();
      this.kafkaSecurityGroup = this.kafkaGroup();
    } else {
      const isolated = network.egress === 'endpoints';
      const vpc = new Vpc(this, 'Vpc', {
        maxAzs: network.maxAzs,
        natGateways: isolated ? 0 : network.natGateways,
        subnetConfiguration: isolated
          ? [{ name: 'private', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }]
          : [
              { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
              { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
            ],
        // Gateway endpoints are free and keep S3 and DynamoDB traffic off the NAT.
        gatewayEndpoints: {
          S3: { service: GatewayVpcEndpointAwsService.S3 },
          DynamoDb: { service: GatewayVpcEndpointAwsService.DYNAMODB },
        },
      });
      this.vpc = vpc;
      this.privateSubnets = {
        subnetType: isolated ? SubnetType.PRIVATE_ISOLATED : SubnetType.PRIVATE_WITH_EGRESS,
      };
      this.functionSecurityGroup = this.functionGroup();
      this.kafkaSecurityGroup = this.kafkaGroup();
      if (isolated) {
        const endpointGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
          vpc,
          description: 'VPC interface endpoints: HTTPS from Sluice functions and MSK pollers',
          allowAllOutbound: false,
        });
        for (const client of [this.functionSecurityGroup, this.kafkaSecurityGroup]) {
          endpointGroup.addIngressRule(client, Port.tcp(443), 'HTTPS to AWS APIs');
        }
        for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS)) {
          vpc.addInterfaceEndpoint(name, {
            service,
            subnets: this.privateSubnets,
            securityGroups: [endpointGroup],
            open: false,
          });
        }
      }
      if (network.flowLogs) {
        vpc.addFlowLog('RejectedTraffic', {
          trafficType: FlowLogTrafficType.REJECT,
          destination: FlowLogDestination.toCloudWatchLogs(
            new LogGroup(this, 'FlowLogs', {
              retention: logRetention(props.config),
              removalPolicy: RemovalPolicy.DESTROY,
            }),
          ),
        });
      } else {
        Validations.of(vpc).acknowledge({
          id: 'AwsSolutions-VPC7',
          reason: 'Flow logs switched off by this stage configuration (network.flowLogs: false).',
        });
      }
    }
  }

  private functionGroup(): SecurityGroup {
    const group = new SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'Sluice functions: HTTPS to AWS APIs (endpoints or NAT) and the domain',
      allowAllOutbound: false,
    });
    group.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to AWS APIs and the domain');
    return group;
  }

  private kafkaGroup(): SecurityGroup {
    const group = new SecurityGroup(this, 'KafkaSecurityGroup', {
      vpc: this.vpc,
      description: 'MSK brokers and the Lambda event source pollers that read them',
      allowAllOutbound: true,
    });
    group.addIngressRule(
      group,
      Port.tcp(MSK_IAM_PORT),
      'IAM/TLS clients: the pollers share this group',
    );
    return group;
  }
}
