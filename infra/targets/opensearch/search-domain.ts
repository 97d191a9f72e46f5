/**
 * The OpenSearch domain of a `create` stage: in the VPC behind its own security group
 * (HTTPS from Sluice's functions only), encryption at rest, node-to-node encryption, HTTPS
 * with TLS 1.2+ and forward-secret ciphers only, fine-grained access control whose master is
 * Sluice's admin role (unless the stage turns it off), slow, application and — where the
 * stage asks — audit logs with one resource policy of its own, an account-wide IAM access
 * policy, and the service-linked role the domain needs when the stage asks for it.
 */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  EbsDeviceVolumeType,
  type ISecurityGroup,
  type IVpc,
  Port,
  SecurityGroup,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { type IRole, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, ResourcePolicy } from 'aws-cdk-lib/aws-logs';
import {
  type CfnDomain,
  Domain,
  EngineVersion,
  TLSSecurityPolicy,
} from 'aws-cdk-lib/aws-opensearchservice';
import type { Construct } from 'constructs';
import { OPENSEARCH_SERVICE_LINKED_ROLE } from '../../../functions/targets/opensearch/service-linked-role/ensure-role';
import { stagePrefix } from '../../../functions/topology/naming';
import { availabilityZoneCount } from '../../config/checks';
import type { StageConfig } from '../../config/schema';
import { dataRemovalPolicy, logRetention, namer } from '../../stacks/stack-helpers';
import { StackPart } from '../../stacks/stack-part';
import { ServiceLinkedRoleResource } from './service-linked-role';

/** HTTP actions the domain's master role needs to manage indexes and security roles. */
export const ADMIN_HTTP_ACTIONS = [
  'es:ESHttpGet',
  'es:ESHttpHead',
  'es:ESHttpPut',
  'es:ESHttpPost',
  'es:ESHttpDelete',
] as const;

/** OpenSearch domain names are at most 28 characters; stages of up to 21 fit. */
export function searchDomainName(stage: string): string {
  return stagePrefix(stage);
}

/** Availability zones a zone-aware domain spans: the stage's, at most three. */
export function searchZoneCount(config: StageConfig): number {
  return Math.min(availabilityZoneCount(config), 3);
}

export interface SearchDomainProps {
  readonly config: StageConfig;
  readonly search: Extract<StageConfig['search'], { mode: 'create' }>;
  readonly codeVersion: string;
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  readonly functionSecurityGroup: ISecurityGroup;
  /** Fine-grained access control master. */
  readonly adminRole: IRole;
}

/**
 * @example
 * ```ts
 * const { domain } = new SearchDomain(stack, 'SearchDomain', {
 *   config, search: config.search, codeVersion: 'abc123', vpc, subnets,
 *   functionSecurityGroup, adminRole,
 * });
 * ```
 */
export class SearchDomain extends StackPart {
  readonly domain: Domain;

  constructor(scope: Construct, id: string, props: SearchDomainProps) {
    super(scope, id);
    const { config, search } = props;
    const stack = Stack.of(this);
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
        ? { fineGrainedAccessControl: { masterUserArn: props.adminRole.roleArn } }
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
          Principal: { AWS: `arn:${stack.partition}:iam::${stack.account}:root` },
          Action: [...ADMIN_HTTP_ACTIONS],
          Resource: stack.formatArn({
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
    this.domain = domain;
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
}
