/**
 * Lambda entry point of `Custom::SluiceServiceLinkedRole` (CDK Provider `onEvent`): Create
 * and Update make sure the role named by the resource's properties exists; Delete keeps it.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ensureServiceLinkedRole } from './ensure-role';

const iam = new IAMClient({});

export interface ServiceLinkedRoleResponse {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly Outcome: string };
}

/**
 * @example
 * ```ts
 * // event: a CloudFormation Create of Custom::SluiceServiceLinkedRole
 * const response = await handler(event);
 * response.Data.Outcome; // 'existed' or 'created'
 * ```
 */
export async function handler(
  event: CloudFormationCustomResourceEvent,
): Promise<ServiceLinkedRoleResponse> {
  const serviceName = String(event.ResourceProperties.ServiceName);
  const roleName = String(event.ResourceProperties.RoleName);
  const physicalId = `service-linked-role:${serviceName}`;
  if (event.RequestType === 'Delete') {
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { Outcome: 'kept' } };
  }
  const outcome = await ensureServiceLinkedRole(iam, { serviceName, roleName });
  return { PhysicalResourceId: physicalId, Data: { Outcome: outcome } };
}
