/**
 * OpenSearch: a domain in the VPC (encryption at rest, node-to-node encryption, HTTPS with
 * TLS 1.2, fine-grained access control whose master is Sluice's own setup role, unless the
 * stage turns it off) or an imported one; the index setup that runs on every deploy
 * (templates, versioned indexes, aliases — `functions/targets/opensearch/setup-handler.ts`);
 * and the provider of the custom resource that maps the workers' IAM roles to write-only
 * security roles.
 */

import { createHash } from 'node:crypto';
import {
  CfnOutput,
  CustomResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import {
  EbsDeviceVolumeType,
  type ISecurityGroup,
  type IVpc,
  Port,
  SecurityGroup,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, ResourcePolicy } from 'aws-cdk-lib/aws-logs';
import {
  type CfnDomain,
  Domain,
  EngineVersion,
  TLSSecurityPolicy,
} from 'aws-cdk-lib/aws-opensearchservice';
import { Provider } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { INDEX_SPECS } from '../../functions/targets/opensearch/indexes/index-specs';
import { OPENSEARCH_SERVICE_LINKED_ROLE } from '../../functions/targets/opensearch/service-linked-role/ensure-role';
import { stagePrefix } from '../../functions/topology/naming';
import { availabilityZoneCount } from '../config/checks';
import type { StageConfig } from '../config/schema';
import { SluiceFunction, type SluiceFunctionProps } from '../constructs/sluice-function';
import { acknowledgeWildcardResources } from '../nag/acknowledge';
import { acknowledgeProviderFramework } from '../nag/provider-framework';
import { ServiceLinkedRoleResource } from '../targets/opensearch/service-linked-role';
import { dataRemovalPolicy, logRetention, namer } from './stack-helpers';

/** HTTP actions the domain's master role needs to manage indexes and security roles. */
export const ADMIN_HTTP_ACTIONS = [
  'es:ESHttpGet',
  'es:ESHttpHead',
  'es:ESHttpPut',
  'es:ESHttpPost',
  'es:ESHttpDelete',
] as const;

export interface SearchStackProps extends StackProps {
  readonly config: StageConfig;
  readonly codeVersion: string;
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  readonly functionSecurityGroup: ISecurityGroup;
}

/** OpenSearch domain names are at most 28 characters; stages of up to 21 fit. */
export function searchDomainName(stage: string): string {
  return stagePrefix(stage);
}

/** Availability zones a zone-aware domain spans: the stage's, at most three. */
export function searchZoneCount(config: StageConfig): number {
  return Math.min(availabilityZoneCount(config), 3);
}

/** A digest of the index definitions: a changed mapping re-runs the setup on deploy. */
export function indexSpecsDigest(): string {
  return createHash('sha256').update(JSON.stringify(INDEX_SPECS)).digest('hex').slice(0, 16);
}

export class SearchStack extends Stack {
  /** `https://…`: what SLUICE_OPENSEARCH_URL holds. */
  readonly endpointUrl: string;
  readonly domainArn: string;
  /** Fine-grained access control master: the index setup and the access mapping run as it. */
  readonly adminRole: Role;
  /** Service token of the access-mapping provider; absent when Sluice may not map roles. */
  readonly accessServiceToken?: string;

  // Each part is a method adding to this stack itself (not a child construct), so the
  // logical ids, and with them the deployed domain, stay as they are.
  constructor(scope: Construct, id: string, props: SearchStackProps) {
    super(scope, id, props);
    const { config } = props;
    const search = config.search;
    this.adminRole = new Role(this, 'AdminRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `OpenSearch master role of Sluice ${config.stage}: index setup and access mapping`,
    });

    if (search.mode === 'create') {
      const domain = this.createDomain(props, search);
      this.endpointUrl = `https://${domain.domainEndpoint}`;
      this.domainArn = domain.domainArn;
    } else {
      this.endpointUrl = search.endpoint;
      this.domainArn = search.domainArn;
    }
    this.grantAdmin();

    const environment = {
      SLUICE_STAGE: config.stage,
      SLUICE_OPENSEARCH_URL: this.endpointUrl,
      SLUICE_OPENSEARCH_MODE: 'es',
    };
    const functionVpc = {
      vpc: props.vpc,
      subnets: props.subnets,
      securityGroups: [props.functionSecurityGroup],
    };
    this.setUpIndexes(props, environment, functionVpc);
    const mapRoles = search.mode === 'create' ? search.fineGrainedAccessControl : search.mapRoles;
    if (mapRoles) this.accessServiceToken = this.accessProvider(props, environment, functionVpc);

    new CfnOutput(this, 'OpenSearchUrl', { value: this.endpointUrl });
    new CfnOutput(this, 'OpenSearchAdminRoleArn', {
      value: this.adminRole.roleArn,
      description:
        'Fine-grained access control master (map it to all_access on an imported domain)',
    });
  }

  /**
   * The domain of a `create` stage, in the VPC behind its own security group, with its
   * log groups and their resource policy, an account-wide IAM access policy, and the
   * service-linked role it needs when the stage asks for it.
   */
  private createDomain(
    props: SearchStackProps,
    search: Extract<StageConfig['search'], { mode: 'create' }>,
  ): Domain {
    const { config } = props;
    const name = namer(config);
    const domainSecurityGroup = new SecurityGroup(this, 'DomainSecurityGroup', {
      vpc: props.vpc,
      description: 'OpenSearch domain: HTTPS from Sluice functions only',
      allowAllOutbound: false,
    });
    domainSecurityGroup.addIngressRule(
      props.functionSecurityGroup,
      Port.tcp(443),
      'HTTPS from Sluice functions',
    );
    const subnets = props.vpc.selectSubnets(props.subnets).subnets;
    const zoneCount = search.zoneAwareness ? searchZoneCount(config) : 1;
    const { slowSearchLogs, slowIndexLogs, appLogs, auditLogs, logsPolicy } = this.domainLogs(
      config,
      search,
    );
    const masters = search.dedicatedMasters;
    const domainName = searchDomainName(config.stage);
    const domain = new Domain(this, 'Domain', {
      domainName,
      version: EngineVersion.openSearch(search.engineVersion.replace('OpenSearch_', '')),
      vpc: props.vpc,
      // One subnet per availability zone used: one without zone awareness, at most three.
      vpcSubnets: [{ subnets: subnets.slice(0, zoneCount) }],
      securityGroups: [domainSecurityGroup],
      capacity: {
        dataNodes: search.instanceCount,
        dataNodeInstanceType: search.instanceType,
        multiAzWithStandbyEnabled: false,
        ...(masters
          ? { masterNodes: masters.count, masterNodeInstanceType: masters.instanceType }
          : {}),
      },
      ebs: { volumeSize: search.volumeGiB, volumeType: EbsDeviceVolumeType.GP3 },
      zoneAwareness: search.zoneAwareness
        ? { enabled: true, availabilityZoneCount: zoneCount }
        : { enabled: false },
      encryptionAtRest: { enabled: true },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      // TLS 1.2 and 1.3 with forward-secret cipher suites only.
      tlsSecurityPolicy: TLSSecurityPolicy.TLS_1_2_PFS,
      ...(search.fineGrainedAccessControl
        ? { fineGrainedAccessControl: { masterUserArn: this.adminRole.roleArn } }
        : {}),
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: slowSearchLogs,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: slowIndexLogs,
        appLogEnabled: true,
        appLogGroup: appLogs,
        ...(auditLogs ? { auditLogEnabled: true, auditLogGroup: auditLogs } : {}),
      },
      suppressLogsResourcePolicy: true,
      removalPolicy: dataRemovalPolicy(config),
    });
    domain.node.addDependency(logsPolicy);
    // IAM decides who may call (identity policies of the account's roles), fine-grained
    // access control decides what on which index. Written on the L1 resource: the L2
    // property adds a custom resource function for what CloudFormation does itself.
    (domain.node.defaultChild as CfnDomain).accessPolicies = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:${this.partition}:iam::${this.account}:root` },
          Action: [...ADMIN_HTTP_ACTIONS],
          Resource: this.formatArn({
            service: 'es',
            resource: 'domain',
            resourceName: `${domainName}/*`,
          }),
        },
      ],
    };
    Validations.of(domain).acknowledge({
      id: 'AwsSolutions-OS3',
      reason:
        'A VPC domain: reachable only through its security group, from Sluice functions; IP allow lists do not apply to VPC access. Callers are authorised by IAM and fine-grained access control.',
    });
    if (search.createServiceLinkedRole) {
      domain.node.addDependency(
        new ServiceLinkedRoleResource(this, 'OpenSearchServiceLinkedRole', {
          role: OPENSEARCH_SERVICE_LINKED_ROLE,
          functionName: name('service-linked-role'),
          codeVersion: props.codeVersion,
          logRetention: logRetention(config),
        }),
      );
    }
    if (!masters) {
      Validations.of(domain).acknowledge({
        id: 'AwsSolutions-OS4',
        reason:
          'This stage runs without dedicated master nodes (search.dedicatedMasters: null) to save cost; production stages set them.',
      });
    }
    if (!search.zoneAwareness) {
      Validations.of(domain).acknowledge({
        id: 'AwsSolutions-OS7',
        reason:
          'This stage runs one availability zone (search.zoneAwareness: false) to save cost; production stages enable it.',
      });
    }
    return domain;
  }

  /**
   * The domain's log groups, and one resource policy of our own letting OpenSearch write
   * them (instead of the custom resource the domain would add to write it).
   */
  private domainLogs(config: StageConfig, search: { readonly auditLogs: boolean }) {
    const name = namer(config);
    const logGroup = (logicalId: string) =>
      new LogGroup(this, logicalId, {
        retention: logRetention(config),
        removalPolicy: RemovalPolicy.DESTROY,
      });
    const slowSearchLogs = logGroup('SlowSearchLogs');
    const slowIndexLogs = logGroup('SlowIndexLogs');
    const appLogs = logGroup('ApplicationLogs');
    const auditLogs = search.auditLogs ? logGroup('AuditLogs') : undefined;
    const logsPolicy = new ResourcePolicy(this, 'DomainLogsPolicy', {
      resourcePolicyName: name('opensearch-logs'),
    });
    logsPolicy.document.addStatements(
      new PolicyStatement({
        principals: [new ServicePrincipal('es.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [slowSearchLogs, slowIndexLogs, appLogs, ...(auditLogs ? [auditLogs] : [])].map(
          (g) => g.logGroupArn,
        ),
      }),
    );
    return { slowSearchLogs, slowIndexLogs, appLogs, auditLogs, logsPolicy };
  }

  /** The master role may call the domain's HTTP API on every path. */
  private grantAdmin(): void {
    this.adminRole.addToPolicy(
      new PolicyStatement({
        actions: [...ADMIN_HTTP_ACTIONS],
        resources: [this.domainArn, `${this.domainArn}/*`],
      }),
    );
    acknowledgeWildcardResources(
      this.adminRole,
      [`${this.domainArn}/*`],
      'The master role manages index templates, versioned indexes, aliases and security roles: paths under the whole domain.',
    );
  }

  /**
   * The custom resource that sets up templates, versioned indexes and aliases on every
   * deploy whose index definitions or shard settings changed.
   */
  private setUpIndexes(
    props: SearchStackProps,
    environment: Record<string, string>,
    functionVpc: NonNullable<SluiceFunctionProps['vpc']>,
  ): void {
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
      environment,
      role: this.adminRole,
      vpc: functionVpc,
    });
    const setupProvider = new Provider(this, 'IndexSetupProvider', {
      onEventHandler: setup.function,
      logGroup: new LogGroup(this, 'IndexSetupProviderLogs', {
        retention: logRetention(config),
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    acknowledgeProviderFramework(setupProvider);
    new CustomResource(this, 'Indexes', {
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

  /**
   * The provider of the custom resource (in the pipeline stack) that maps the workers'
   * roles to write-only security roles; returns its service token.
   */
  private accessProvider(
    props: SearchStackProps,
    environment: Record<string, string>,
    functionVpc: NonNullable<SluiceFunctionProps['vpc']>,
  ): string {
    const { config } = props;
    const access = new SluiceFunction(this, 'AccessSetup', {
      functionName: namer(config)('opensearch-access'),
      entry: 'functions/targets/opensearch/access/handler.ts',
      description: 'Custom resource: maps worker roles to write-only OpenSearch security roles',
      codeVersion: props.codeVersion,
      timeout: Duration.minutes(2),
      memorySize: 256,
      logRetention: logRetention(config),
      environment,
      role: this.adminRole,
      vpc: functionVpc,
    });
    const accessProvider = new Provider(this, 'AccessProvider', {
      onEventHandler: access.function,
      logGroup: new LogGroup(this, 'AccessProviderLogs', {
        retention: logRetention(config),
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    acknowledgeProviderFramework(accessProvider);
    return accessProvider.serviceToken;
  }
}
