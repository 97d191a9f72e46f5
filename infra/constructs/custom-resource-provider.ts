/**
 * The CDK Provider framework as every Sluice custom resource uses it: a log group of its own
 * with the stage's retention (`<id>Logs`), cdk-nag's findings on CDK's framework function
 * acknowledged, and the framework's description kept as it is outside a StackPart.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { acknowledgeProviderFramework } from '../nag/provider-framework';
import { keepProviderDescription } from '../stacks/stack-part';

/**
 * @example
 * ```ts
 * const provider = customResourceProvider(scope, 'IndexSetupProvider', setup.function, RetentionDays.ONE_MONTH);
 * new CustomResource(scope, 'Indexes', { serviceToken: provider.serviceToken });
 * ```
 */
export function customResourceProvider(
  scope: Construct,
  id: string,
  onEventHandler: IFunction,
  retention: RetentionDays,
): Provider {
  const provider = new Provider(scope, id, {
    onEventHandler,
    logGroup: new LogGroup(scope, `${id}Logs`, {
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    }),
  });
  acknowledgeProviderFramework(provider);
  keepProviderDescription(provider);
  return provider;
}
