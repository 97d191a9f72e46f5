/**
 * The fields CloudFormation puts on every event to the index setup custom resource
 * (`Custom::SluiceIndexes`), for tests that invoke its handler directly.
 */

/**
 * @example
 * ```ts
 * await onEvent({ ...INDEX_SETUP_EVENT, RequestType: 'Create', ResourceProperties: props });
 * ```
 */
export const INDEX_SETUP_EVENT = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
  ResponseURL: 'https://example.com',
  StackId: 'stack',
  RequestId: 'req',
  LogicalResourceId: 'Indexes',
  ResourceType: 'Custom::SluiceIndexes',
};
