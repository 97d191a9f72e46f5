/**
 * `Custom::SluiceServiceLinkedRole`: makes sure the account has a service-linked role before
 * a resource that needs it (an OpenSearch domain in a VPC). Creates it when missing, leaves
 * an existing one alone, never deletes it (`functions/targets/opensearch/service-linked-role/`). Replaces
 * AWS::IAM::ServiceLinkedRole, which fails the stack when the role already exists.
 */
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ServiceLinkedRole } from '../../../functions/targets/opensearch/service-linked-role/ensure-role';
import { customResourceProvider } from '../../constructs/custom-resource-provider';
import { SluiceFunction } from '../../constructs/sluice-function';

export interface ServiceLinkedRoleResourceProps {
  readonly role: ServiceLinkedRole;
  /** Physical name of the handler function, `sluice-<stage>-service-linked-role`. */
  readonly functionName: string;
  readonly codeVersion: string;
  readonly logRetention: RetentionDays;
}

/**
 * @example
 * ```ts
 * domain.node.addDependency(new ServiceLinkedRoleResource(stack, 'OpenSearchRole', {
 *   role: OPENSEARCH_SERVICE_LINKED_ROLE, functionName: 'sluice-dev-service-linked-role',
 *   codeVersion: 'abc123', logRetention: RetentionDays.ONE_MONTH,
 * }));
 * ```
 */
export class ServiceLinkedRoleResource extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ServiceLinkedRoleResourceProps) {
    super(scope, id);
    const { role } = props;
    const stack = Stack.of(this);
    const handler = new SluiceFunction(this, 'Handler', {
      functionName: props.functionName,
      entry: 'functions/targets/opensearch/service-linked-role/handler.ts',
      description: `Custom resource: creates ${role.roleName} when the account lacks it`,
      codeVersion: props.codeVersion,
      timeout: Duration.minutes(1),
      memorySize: 256,
      logRetention: props.logRetention,
      environment: {},
    });
    const roleArn = stack.formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: `aws-service-role/${role.serviceName}/${role.roleName}`,
    });
    handler.role.addToPolicy(
      new PolicyStatement({ actions: ['iam:GetRole'], resources: [roleArn] }),
    );
    handler.role.addToPolicy(
      new PolicyStatement({
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [roleArn],
        conditions: { StringEquals: { 'iam:AWSServiceName': role.serviceName } },
      }),
    );
    const provider = customResourceProvider(this, 'Provider', handler.function, props.logRetention);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SluiceServiceLinkedRole',
      properties: { ServiceName: role.serviceName, RoleName: role.roleName },
    });
  }
}
