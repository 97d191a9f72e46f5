/**
 * The VPC the router, the OpenSearch workers, the MSK cluster and the domain live in: a new
 * one (isolated subnets with the VPC endpoints the functions and the MSK event source need,
 * or private subnets behind NAT), or an existing one imported by attributes — never looked
 * up, so synth needs no credentials.
 */
import { RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  type CfnSubnet,
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpoint,
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
import { AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/schema';
import { availabilityZoneIds } from '../config/zones';
import { logRetention } from './stack-helpers';

/** MSK's port for IAM-authenticated TLS clients. */
export const MSK_IAM_PORT = 9098;

/** Interface endpoints in `endpoints` mode: SQS for the functions; STS and Lambda for MSK's event source pollers. */
export const INTERFACE_ENDPOINTS = {
  Sqs: InterfaceVpcEndpointAwsService.SQS,
  Sts: InterfaceVpcEndpointAwsService.STS,
  Lambda: InterfaceVpcEndpointAwsService.LAMBDA,
} as const;

export type InterfaceEndpointName = keyof typeof INTERFACE_ENDPOINTS;

/**
 * The interface endpoints a stage's isolated subnets need. SQS: the functions in the VPC (the
 * workers that write OpenSearch, and the router when `router.vpc` is on) send to queues. STS
 * and Lambda: only the pollers of an on-demand MSK mapping of a cluster created in this VPC
 * (Lambda's documentation: PrivateLink endpoints are needed in on-demand mode, not in
 * provisioned mode). No function calls STS or Lambda itself.
 *
 * @example
 * ```ts
 * interfaceEndpointsNeeded(defaultStageConfig('dev')); // ['Sqs', 'Sts', 'Lambda']
 * ```
 */
export function interfaceEndpointsNeeded(config: StageConfig): InterfaceEndpointName[] {
  const names: InterfaceEndpointName[] = ['Sqs'];
  const createsCluster = config.kafka.mode === 'provisioned' || config.kafka.mode === 'serverless';
  if (createsCluster && config.router.mode === 'on-demand') names.push('Sts', 'Lambda');
  return names;
}

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
      const zoneIds = availabilityZoneIds(props.config);
      const vpc = new Vpc(this, 'Vpc', {
        // Zone IDs stand in for names here; placeZonesById turns them into AvailabilityZoneId.
        ...(zoneIds ? { availabilityZones: [...zoneIds] } : { maxAzs: network.maxAzs }),
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
      if (zoneIds) placeZonesById(vpc);
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
        for (const name of interfaceEndpointsNeeded(props.config)) {
          const endpoint = vpc.addInterfaceEndpoint(name, {
            service: INTERFACE_ENDPOINTS[name],
            subnets: this.privateSubnets,
            securityGroups: [endpointGroup],
            open: false,
          });
          endpoint.addToPolicy(accountScopedEndpointStatement(this.account));
        }
      }
      for (const child of vpc.node.children) {
        if (child instanceof GatewayVpcEndpoint) {
          child.addToPolicy(accountScopedEndpointStatement(this.account));
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

/**
 * An endpoint policy that lets the endpoint reach only resources of this account (queues,
 * tables, the claim-check bucket, the router function and its role): `aws:ResourceAccount`,
 * not the caller's account, because Lambda's pollers call STS and Lambda as the service.
 *
 * @example
 * ```ts
 * endpoint.addToPolicy(accountScopedEndpointStatement(stack.account));
 * ```
 */
export function accountScopedEndpointStatement(account: string): PolicyStatement {
  return new PolicyStatement({
    sid: 'OnlyThisAccountsResources',
    principals: [new AnyPrincipal()],
    actions: ['*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:ResourceAccount': account } },
  });
}

/**
 * Moves every subnet of a VPC built with zone IDs in place of zone names from
 * `AvailabilityZone` to `AvailabilityZoneId` (both are properties of AWS::EC2::Subnet):
 * the same IDs mean the same physical zones in every account.
 */
function placeZonesById(vpc: Vpc): void {
  const subnets = [...vpc.publicSubnets, ...vpc.privateSubnets, ...vpc.isolatedSubnets];
  for (const subnet of subnets) {
    const cfn = subnet.node.defaultChild as CfnSubnet;
    cfn.addPropertyDeletionOverride('AvailabilityZone');
    cfn.addPropertyOverride('AvailabilityZoneId', subnet.availabilityZone);
  }
}
