/**
 * Acknowledgments for the CDK Provider framework's own function (it relays CloudFormation
 * events to our handler): its code and its role are CDK's, not ours.
 */
import { Validations } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Provider } from 'aws-cdk-lib/custom-resources';
import { acknowledgeWildcardResources } from './acknowledge';

/** Acknowledges the framework function's findings on `provider`'s own role only. */
export function acknowledgeProviderFramework(provider: Provider): void {
  const framework = provider.node.findChild('framework-onEvent') as LambdaFunction;
  const role = framework.role;
  if (!role) throw new Error(`${provider.node.path}: the framework function has no role`);
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      'The CDK Provider framework function writes its own logs with the basic execution policy; CDK creates and owns this role.',
  });
  acknowledgeWildcardResources(
    role,
    [`${provider.onEventHandler.functionArn}:*`],
    'The CDK Provider framework may invoke any version of our one onEvent function (function ARN + ":*").',
  );
}
