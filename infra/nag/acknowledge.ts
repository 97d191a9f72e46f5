/**
 * cdk-nag acknowledgments that name one finding exactly. IAM wildcard findings are keyed by
 * the resource as written in the template (`AwsSolutions-IAM5[Resource::<Bucket.Arn>/ingest/*]`),
 * which for a reference to another stack is only known once CDK has turned it into an
 * import: such acknowledgments are therefore registered when the tree is validated, after
 * references are resolved and before cdk-nag reads them.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** cdk-nag's flattening of a resolved CloudFormation value into a finding id. */
export function flattenForNag(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenForNag).join(delimiter);
  }
  if (node['Fn::Sub']) return flattenForNag(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenForNag(resource)}.${flattenForNag(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return flattenForNag(node['Fn::ImportValue']);
  if (node.Ref) return `<${flattenForNag(node.Ref)}>`;
  return JSON.stringify(value);
}

/**
 * Acknowledges `AwsSolutions-IAM5` for each wildcard resource of a role's policy, resolved
 * as the role's stack will write it.
 *
 * @example
 * ```ts
 * acknowledgeWildcardResources(role, [`${bucket.bucketArn}/ingest/*`],
 *   'Claim checks are written under one prefix; object keys are per record.');
 * ```
 */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  resources: readonly string[],
  reason: string,
): void {
  let done = false;
  scope.node.addValidation({
    validate: () => {
      if (done) return [];
      done = true;
      const stack = Stack.of(scope);
      for (const resource of resources) {
        Validations.of(scope).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${flattenForNag(stack.resolve(resource))}]`,
          reason,
        });
      }
      return [];
    },
  });
}
