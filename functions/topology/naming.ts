/**
 * The resource naming scheme: every physical name is `sluice-<stage>-<logical name>`,
 * so several stages (dev, test runs, prod) share one account or one local server
 * without seeing each other's data.
 *
 * @example
 * ```ts
 * resourceName('dev', 'ingest-dlq'); // 'sluice-dev-ingest-dlq'
 * ```
 */
export function resourceName(stage: string, logicalName: string): string {
  return `${stagePrefix(stage)}-${logicalName}`;
}

/**
 * `sluice-<stage>`: the start of every name of a stage, and the whole name of resources one
 * per stage (the OpenSearch domain).
 *
 * @example
 * ```ts
 * stagePrefix('dev'); // 'sluice-dev'
 * ```
 */
export function stagePrefix(stage: string): string {
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(
      `Invalid stage "${stage}": use 1-24 lowercase letters, digits or hyphens, starting with a letter`,
    );
  }
  return `${PREFIX}-${stage}`;
}

/**
 * The consumer group of the router's mapping for a topic: one group per mapping (MSK
 * requires a mapping's group to be unique), used by the CDK stacks and the local runtime.
 *
 * @example
 * ```ts
 * routerConsumerGroup('dev', 'catalog.events'); // 'sluice-dev-router-catalog-events'
 * ```
 */
export function routerConsumerGroup(stage: string, topicName: string): string {
  return resourceName(stage, `router-${topicName.replace(/\./g, '-')}`);
}

/** Project prefix of every resource name. */
export const PREFIX = 'sluice';

/** Short enough that `sluice-<stage>-<name>` stays inside SQS's 80-character queue names. */
export const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,23}$/;
