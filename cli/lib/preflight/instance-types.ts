/**
 * Instance types the stage asks for, against what the region offers: OpenSearch data and
 * master node types (ListInstanceTypeDetails for the engine version). MSK has no read-only
 * call that lists broker types, so the broker type is reported, not checked.
 */
import { ListInstanceTypeDetailsCommand, type OpenSearchClient } from '@aws-sdk/client-opensearch';
import type { StageConfig } from '../../../infra/config/schema';
import { couldNotCheck, type PreflightCheck } from './check';

/**
 * @example
 * ```ts
 * await checkSearchInstanceTypes(new OpenSearchClient({}), config);
 * ```
 */
export async function checkSearchInstanceTypes(
  opensearch: OpenSearchClient,
  config: StageConfig,
): Promise<PreflightCheck> {
  const id = 'opensearch-instance-types';
  const title = 'OpenSearch instance types offered';
  const search = config.search;
  if (search.mode !== 'create') {
    return { id, title, status: 'skip', detail: 'the stage imports its domain' };
  }
  const wanted = [
    search.instanceType,
    ...(search.dedicatedMasters ? [search.dedicatedMasters.instanceType] : []),
  ];
  const offered = new Set<string>();
  try {
    let nextToken: string | undefined;
    do {
      const page = await opensearch.send(
        new ListInstanceTypeDetailsCommand({
          EngineVersion: search.engineVersion,
          NextToken: nextToken,
        }),
      );
      for (const detail of page.InstanceTypeDetails ?? []) {
        if (detail.InstanceType) offered.add(detail.InstanceType);
      }
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    return couldNotCheck(id, title, error);
  }
  const missing = wanted.filter((type) => !offered.has(type));
  if (missing.length > 0) {
    return {
      id,
      title,
      status: 'fail',
      detail: `${missing.join(', ')} not offered for ${search.engineVersion} in this region`,
      fix: `Pick another search.instanceType (or dedicatedMasters.instanceType): aws opensearch list-instance-type-details --engine-version ${search.engineVersion}`,
    };
  }
  return {
    id,
    title,
    status: 'pass',
    detail: `${wanted.join(', ')} offered for ${search.engineVersion}`,
  };
}

/**
 * The broker type, reported for the reader: MSK offers no read-only call that lists them.
 *
 * @example
 * ```ts
 * reportBrokerType(config).status; // 'skip'
 * ```
 */
export function reportBrokerType(config: StageConfig): PreflightCheck {
  const id = 'msk-broker-type';
  const title = 'MSK broker type';
  if (config.kafka.mode !== 'provisioned') {
    return {
      id,
      title,
      status: 'skip',
      detail: `kafka.mode ${config.kafka.mode}: no brokers created`,
    };
  }
  return {
    id,
    title,
    status: 'skip',
    detail: `${config.kafka.instanceType}: not checkable read-only (MSK has no API listing broker types); CreateCluster names an unsupported type`,
  };
}
