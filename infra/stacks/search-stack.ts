/**
 * OpenSearch: a domain in the VPC (encryption at rest, node-to-node encryption, HTTPS with
 * TLS 1.2, fine-grained access control whose master is Sluice's own setup role, unless the
 * stage turns it off) or an imported one; the index setup that runs on every deploy
 * (templates, versioned indexes, aliases — `functions/targets/opensearch/setup-handler.ts`);
 * and the provider of the custom resource that maps the workers' IAM roles to write-only
 * security roles.
 */

import { CfnOutput, type StackProps } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/schema';
import { acknowledgeWildcardResources } from '../nag/acknowledge';
import { AccessSetup } from '../targets/opensearch/access-setup';
import { IndexSetup } from '../targets/opensearch/index-setup';
import { ADMIN_HTTP_ACTIONS, SearchDomain } from '../targets/opensearch/search-domain';
import { SluiceStack } from './stack-part';

export interface SearchStackProps extends StackProps {
  readonly config: StageConfig;
  readonly codeVersion: string;
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  readonly functionSecurityGroup: ISecurityGroup;
}

export class SearchStack extends SluiceStack {
  /** `https://…`: what SLUICE_OPENSEARCH_URL holds. */
  readonly endpointUrl: string;
  readonly domainArn: string;
  /** Fine-grained access control master: the index setup and the access mapping run as it. */
  readonly adminRole: Role;
  /** Service token of the access-mapping provider; absent when Sluice may not map roles. */
  readonly accessServiceToken?: string;

  // The parts are StackParts: each resource keeps the logical id it had as the stack's own
  // child (stack-part.ts), and with it the deployed domain.
  constructor(scope: Construct, id: string, props: SearchStackProps) {
    super(scope, id, props);
    const { config } = props;
    const search = config.search;
    this.adminRole = new Role(this, 'AdminRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `OpenSearch master role of Sluice ${config.stage}: index setup and access mapping`,
    });

    if (search.mode === 'create') {
      const { domain } = new SearchDomain(this, 'SearchDomain', {
        config,
        search,
        codeVersion: props.codeVersion,
        vpc: props.vpc,
        subnets: props.subnets,
        functionSecurityGroup: props.functionSecurityGroup,
        adminRole: this.adminRole,
      });
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
    const functions = {
      config,
      codeVersion: props.codeVersion,
      environment,
      vpc: functionVpc,
      adminRole: this.adminRole,
    };
    new IndexSetup(this, 'IndexSetupResource', functions);
    const mapRoles = search.mode === 'create' ? search.fineGrainedAccessControl : search.mapRoles;
    if (mapRoles) {
      this.accessServiceToken = new AccessSetup(
        this,
        'AccessSetupProvider',
        functions,
      ).serviceToken;
    }

    new CfnOutput(this, 'OpenSearchUrl', { value: this.endpointUrl });
    new CfnOutput(this, 'OpenSearchAdminRoleArn', {
      value: this.adminRole.roleArn,
      description:
        'Fine-grained access control master (map it to all_access on an imported domain)',
    });
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
}
