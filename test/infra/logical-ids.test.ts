/**
 * Logical ids decide what CloudFormation keeps: a changed id replaces the resource (a new
 * named queue or function, a new domain, a second claim-check bucket beside the retained one).
 * These are the ids of the default stage's named, stateful or replaced-on-change resources;
 * a refactoring that moves one (into a construct, under another id) fails here. Moving code
 * into a StackPart (`infra/stacks/stack-part.ts`) keeps them.
 */
import { Names, Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { makeUniqueId, SluiceStack, StackPart } from '../../infra/stacks/stack-part';
import { resourcesOf, synthStage, testApp } from './support/synth';

/** By stack, then by resource type: the logical ids, sorted. */
const PINNED: Record<string, Record<string, readonly string[]>> = {
  network: {
    'AWS::EC2::SecurityGroup': [
      'EndpointSecurityGroupF840B798',
      'FunctionSecurityGroup37F9C17C',
      'KafkaSecurityGroup4BEFFE40',
    ],
    'AWS::Logs::LogGroup': ['FlowLogs16C1943A'],
    'AWS::IAM::Role': ['VpcRejectedTrafficIAMRole1D6CF132'],
  },
  kafka: {
    'AWS::Logs::LogGroup': ['BrokerLogs003CD6FC'],
    'AWS::MSK::Cluster': ['Cluster'],
  },
  search: {
    'AWS::Lambda::Function': [
      'AccessProviderframeworkonEvent67102DCF',
      'AccessSetupFunctionC3558F9D',
      'IndexSetupFunction0E4A9279',
      'IndexSetupProviderframeworkonEvent1D7C082E',
      'OpenSearchServiceLinkedRoleHandlerFunction542BF96D',
      'OpenSearchServiceLinkedRoleProviderframeworkonEvent75EE181C',
    ],
    'AWS::OpenSearchService::Domain': ['Domain66AC69E0'],
    'AWS::EC2::SecurityGroup': ['DomainSecurityGroupA873C61F'],
    'AWS::Logs::LogGroup': [
      'AccessProviderLogs6618E7AC',
      'AccessSetupLogs1348461D',
      'ApplicationLogsAF17AEF2',
      'IndexSetupLogs6564FFC7',
      'IndexSetupProviderLogsD8EF696C',
      'OpenSearchServiceLinkedRoleHandlerLogsEC93C0FF',
      'OpenSearchServiceLinkedRoleProviderLogs0D11ADC1',
      'SlowIndexLogsAD49DED0',
      'SlowSearchLogsE00DC2E7',
    ],
    'Custom::SluiceIndexes': ['Indexes'],
    'Custom::SluiceServiceLinkedRole': ['OpenSearchServiceLinkedRole14D27231'],
    'AWS::IAM::Role': [
      'AccessProviderframeworkonEventServiceRole9B504A01',
      'AdminRole38563C57',
      'IndexSetupProviderframeworkonEventServiceRole5E0E10F3',
      'OpenSearchServiceLinkedRoleHandlerRole742624EB',
      'OpenSearchServiceLinkedRoleProviderframeworkonEventServiceRole698F7EB4',
    ],
  },
  data: {
    'AWS::DynamoDB::Table': [
      'TableabuseCountersBA7EB9BC',
      'Tablecatalog7D16B461',
      'Tablecommissions216D161C',
      'Tablecustomers7C9F8DF4',
      'TableidempotencyFF605E19',
      'TableingestLedgerB13E33CA',
      'TablejobRecords84C3D118',
    ],
  },
  pipeline: {
    'AWS::S3::Bucket': ['ClaimCheckB4EF2317'],
    'AWS::SQS::Queue': [
      'JobauditQueuesDeadLetterQueue69FEF414',
      'JobauditQueuesQueueFFE0FBC3',
      'JobdetectloginabuseQueuesDeadLetterQueueCD0D74CF',
      'JobdetectloginabuseQueuesQueue325E5C6A',
      'JobindexproductQueuesDeadLetterQueue88D6BA83',
      'JobindexproductQueuesQueue4E58B96E',
      'JobrecordcommissionQueuesDeadLetterQueue10FBAFCA',
      'JobrecordcommissionQueuesQueueA9F80731',
      'JobsynccustomerQueuesDeadLetterQueueCF6A060D',
      'JobsynccustomerQueuesQueueA2120F84',
      'ReplayQueuesDeadLetterQueue0D2F37AA',
      'ReplayQueuesQueue545E9772',
    ],
    'AWS::Lambda::Function': [
      'JobauditWorkerFunctionEABBEB67',
      'JobdetectloginabuseWorkerFunction4CB6901C',
      'JobindexproductWorkerFunction7126DA20',
      'JobrecordcommissionWorkerFunction8AE8464C',
      'JobsynccustomerWorkerFunctionA4FF0B0B',
      'ReplayFunctionAB8F5A59',
      'RouterFunction0F681190',
    ],
    'AWS::Lambda::EventSourceMapping': [
      'JobauditWorkerFunctionSqsEventSourcesluicetestpipelineJobauditQueuesQueueD28F44824D9BAD89',
      'JobdetectloginabuseWorkerFunctionSqsEventSourcesluicetestpipelineJobdetectloginabuseQueuesQueue6A0E134CC083A3FB',
      'JobindexproductWorkerFunctionSqsEventSourcesluicetestpipelineJobindexproductQueuesQueueB4A0C3D6A9A5DA94',
      'JobrecordcommissionWorkerFunctionSqsEventSourcesluicetestpipelineJobrecordcommissionQueuesQueue19BB2DB4F87BD479',
      'JobsynccustomerWorkerFunctionSqsEventSourcesluicetestpipelineJobsynccustomerQueuesQueueF8E9ECE5DCDA6684',
      'ReplayFunctionSqsEventSourcesluicetestpipelineReplayQueuesQueue8926BCEB6F658C8D',
      'RouterFunctionKafkacatalog0F1966BE',
      'RouterFunctionKafkacustomers54B85F83',
      'RouterFunctionKafkaidentity293453E0',
      'RouterFunctionKafkaorders1A9772FE',
    ],
    'AWS::Logs::LogGroup': [
      'JobauditWorkerLogsB699749B',
      'JobdetectloginabuseWorkerLogs9215FD3D',
      'JobindexproductWorkerLogs7B6C372E',
      'JobrecordcommissionWorkerLogsE204FB17',
      'JobsynccustomerWorkerLogsDC45F5F5',
      'ReplayLogs26275625',
      'RouterLogs4973BD4D',
    ],
    'Custom::SluiceOpenSearchAccess': ['OpenSearchAccess'],
    'AWS::IAM::Role': [
      'JobauditWorkerRoleB464672C',
      'JobdetectloginabuseWorkerRoleDC3AE90A',
      'JobindexproductWorkerRole649CC552',
      'JobrecordcommissionWorkerRole1EF411D6',
      'JobsynccustomerWorkerRoleFB9302E9',
      'ReplayRoleABFDE299',
      'RouterRoleE7AC9051',
    ],
  },
  observability: {
    'AWS::KMS::Key': ['OpsTopicKey7A9BAE02'],
    'AWS::SNS::Topic': ['OpsTopic1B68409C'],
  },
};

describe('logical ids', () => {
  const stage = synthStage();
  const stacks = stage.stacks as unknown as Record<string, Stack | undefined>;

  it.each(Object.keys(PINNED))('%s stack: every pinned resource keeps its logical id', (part) => {
    const stack = stacks[part];
    if (!stack) throw new Error(`the default stage has no ${part} stack`);
    const template = stage.template(stack);
    for (const [type, ids] of Object.entries(PINNED[part] ?? {})) {
      expect(Object.keys(resourcesOf(template, type)).sort(), `${part} ${type}`).toEqual(ids);
    }
  });

  it('computes ids as CDK does (makeUniqueId against Names.uniqueId on every construct)', () => {
    let compared = 0;
    for (const construct of stage.app.node.findAll()) {
      const path = construct.node.scopes.slice(1).map((scope) => scope.node.id);
      if (path.length === 0) continue;
      expect(makeUniqueId(path), construct.node.path).toBe(Names.uniqueId(construct));
      compared++;
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('leaves a StackPart out of the ids of the resources under it', () => {
    const logicalIds = (build: (stack: Stack) => void) => {
      const app = testApp();
      build(new SluiceStack(app, 'S'));
      return Object.keys(app.synth().getStackByName('S').template.Resources ?? {}).sort();
    };
    const inPart = logicalIds((stack) => new Bucket(new StackPart(stack, 'Part'), 'Store'));
    expect(inPart).toEqual(logicalIds((stack) => new Bucket(stack, 'Store')));
    expect(inPart).toEqual([makeUniqueId(['Store', 'Resource'])]);
  });

  it('fails the synth when two parts hold resources of the same id (one logical id)', () => {
    const app = testApp();
    const stack = new SluiceStack(app, 'S');
    new Bucket(new StackPart(stack, 'One'), 'Store');
    new Bucket(new StackPart(stack, 'Two'), 'Store');
    expect(() => app.synth()).toThrow(/already contains/);
  });

  it('refuses a StackPart outside a SluiceStack (its ids would change silently)', () => {
    const stack = new Stack(testApp(), 'Plain');
    expect(() => new StackPart(stack, 'Part')).toThrow(/belongs in a SluiceStack/);
  });
});
