import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TOPICS } from '../../functions/topology/topology';
import { MSK_IAM_PORT } from '../../infra/stacks/network-stack';
import { IMPORTED_STAGE, resourcesOf, synthStage } from './support/synth';

const serviceName = (props: Record<string, unknown>) => JSON.stringify(props.ServiceName);

describe('network', () => {
  it('endpoints mode: isolated subnets, no NAT, the endpoints the functions and MSK pollers need', () => {
    const stage = synthStage();
    const template = stage.template(stage.stacks.network);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    const endpoints = Object.values(resourcesOf(template, 'AWS::EC2::VPCEndpoint')).map(
      (r) => r.Properties,
    );
    const gateways = endpoints.filter((e) => e.VpcEndpointType === 'Gateway').map(serviceName);
    const interfaces = endpoints.filter((e) => e.VpcEndpointType === 'Interface').map(serviceName);
    expect(gateways.sort()).toEqual(
      [expect.stringContaining('.dynamodb'), expect.stringContaining('.s3')].sort(),
    );
    expect(gateways.some((s) => s.includes('.s3'))).toBe(true);
    expect(interfaces.sort()).toEqual(
      ['com.amazonaws.*.lambda', 'com.amazonaws.*.sqs', 'com.amazonaws.*.sts']
        .map((s) => expect.stringContaining(s.replace('com.amazonaws.*', '')))
        .sort(),
    );
    for (const e of endpoints.filter((e) => e.VpcEndpointType === 'Interface')) {
      expect(e.PrivateDnsEnabled).toBe(true);
    }
    // Endpoints admit HTTPS from the functions' and the MSK pollers' groups only.
    const ingress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')).map(
      (r) => r.Properties,
    );
    const toEndpoints = ingress.filter((i) => i.FromPort === 443);
    expect(toEndpoints).toHaveLength(2);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
  });

  it('scopes every endpoint’s policy to resources of this account', () => {
    const stage = synthStage();
    const endpoints = Object.values(
      resourcesOf(stage.template(stage.stacks.network), 'AWS::EC2::VPCEndpoint'),
    );
    expect(endpoints).toHaveLength(5);
    for (const endpoint of endpoints) {
      expect(endpoint.Properties.PolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OnlyThisAccountsResources',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: '*',
            Resource: '*',
            Condition: { StringEquals: { 'aws:ResourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      });
    }
  });

  it('creates the STS and Lambda endpoints only for on-demand pollers of a created cluster', () => {
    const interfacesOf = (overrides: object) => {
      const stage = synthStage(overrides);
      return Object.values(
        resourcesOf(stage.template(stage.stacks.network), 'AWS::EC2::VPCEndpoint'),
      )
        .filter((e) => e.Properties.VpcEndpointType === 'Interface')
        .map((e) => serviceName(e.Properties))
        .sort();
    };
    const sqsOnly = [expect.stringContaining('.sqs')];
    // Provisioned mode: Lambda's documentation needs no PrivateLink endpoints for the pollers.
    expect(interfacesOf({ router: { mode: 'provisioned' } })).toEqual(sqsOnly);
    expect(interfacesOf({ kafka: { mode: 'none' } })).toEqual(sqsOnly);
  });

  it('nat mode: private subnets behind the configured NAT gateways, no interface endpoints', () => {
    const stage = synthStage({ network: { mode: 'create', egress: 'nat', natGateways: 2 } });
    const template = stage.template(stage.stacks.network);
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
    template.resourceCountIs('AWS::EC2::Subnet', 4);
  });

  it('import mode: no VPC is created; functions go into the given subnets', () => {
    const stage = synthStage(IMPORTED_STAGE);
    const template = stage.template(stage.stacks.network);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: IMPORTED_STAGE.network.vpcId,
      SecurityGroupEgress: [Match.objectLike({ FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })],
    });
    expect(stage.stacks.kafka).toBeUndefined();
  });
});

describe('MSK cluster', () => {
  it('provisioned: IAM auth only, TLS in transit, broker logs, the topology’s topics', () => {
    const stage = synthStage();
    const template = stage.template(stage.stacks.kafka ?? stage.stacks.network);
    template.hasResourceProperties('AWS::MSK::Cluster', {
      ClusterName: 'sluice-test-kafka',
      NumberOfBrokerNodes: 2,
      BrokerNodeGroupInfo: Match.objectLike({ InstanceType: 'kafka.t3.small' }),
      ClientAuthentication: {
        Sasl: { Iam: { Enabled: true } },
        Unauthenticated: { Enabled: false },
      },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: Match.objectLike({ Enabled: true }) } },
    });
    const topics = Object.values(resourcesOf(template, 'AWS::MSK::Topic')).map((r) => r.Properties);
    expect(topics.map((t) => [t.TopicName, t.PartitionCount, t.ReplicationFactor]).sort()).toEqual(
      Object.values(TOPICS)
        .map((t) => [t.name, t.partitions, 2])
        .sort(),
    );
    // The pollers share the cluster's group: it admits itself on the IAM port.
    const network = stage.template(stage.stacks.network);
    network.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: MSK_IAM_PORT,
      ToPort: MSK_IAM_PORT,
      SourceSecurityGroupId: Match.anyValue(),
    });
  });

  it('serverless: IAM auth in the stage’s subnets, topics replicated three times', () => {
    const stage = synthStage({ kafka: { mode: 'serverless' } });
    const template = stage.template(stage.stacks.kafka ?? stage.stacks.network);
    template.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
      VpcConfigs: [Match.objectLike({ SubnetIds: Match.anyValue() })],
    });
    template.allResourcesProperties('AWS::MSK::Topic', { ReplicationFactor: 3 });
    // The router's mappings read the created cluster.
    const pipeline = stage.template(stage.stacks.pipeline);
    const kafkaMappings = Object.values(
      resourcesOf(pipeline, 'AWS::Lambda::EventSourceMapping'),
    ).filter((m) => m.Properties.Topics);
    expect(kafkaMappings).toHaveLength(4);
    expect(JSON.stringify(kafkaMappings[0]?.Properties.EventSourceArn)).toContain(
      'Fn::ImportValue',
    );
  });
});
