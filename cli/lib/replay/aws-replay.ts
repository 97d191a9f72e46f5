/**
 * Replay on AWS. The MSK cluster is private and uses IAM auth, so this machine cannot
 * consume it; instead a temporary event source mapping is added to the router function,
 * starting AT_TIMESTAMP with a consumer group of its own. Lambda then runs the router's
 * code on every record from that time on, beside the live mappings, until the mapping is
 * deleted. A mapping can only start at TRIM_HORIZON, LATEST or a timestamp — never at an
 * offset — and reads every partition, so `--from` must be a timestamp and `--partition`
 * and `--to` do not apply.
 */
import {
  CreateEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
  type LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { classifyAwsError } from '../../../functions/shared/aws-errors';
import { CliError, EXIT } from '../io';
import type { Position } from './positions';

export interface AwsReplayRequest {
  readonly functionName: string;
  readonly topic: string;
  readonly from: Position;
  readonly to?: Position;
  readonly partition?: number;
  readonly consumerGroupId: string;
  /** Used when the live mapping has no batch size to copy. */
  readonly batchSize: number;
}

export interface AwsReplayStarted {
  readonly uuid: string;
  readonly state: string;
  readonly functionName: string;
  readonly eventSourceArn: string;
  readonly topic: string;
  readonly consumerGroupId: string;
  readonly startingPositionTimestamp: string;
  /** The live mapping whose settings were copied. */
  readonly copiedFrom: string;
  /** Commands to watch and to remove what was created. */
  readonly followUp: { readonly status: string; readonly delete: string };
}

/**
 * Checks the request against what a mapping can do; throws a CliError explaining why not.
 */
export function checkAwsReplayRequest(request: AwsReplayRequest): Date {
  if (request.from.kind === 'offset') {
    throw new CliError(
      "On AWS, --from must be a timestamp: replay runs as a Lambda event source mapping (the cluster is private with IAM auth, so this machine cannot consume it), and a mapping starts only at TRIM_HORIZON, LATEST or AT_TIMESTAMP — never at an offset. Find the time of the offset (e.g. from a dead letter's record.timestamp) and pass it as ISO 8601.",
      EXIT.usage,
    );
  }
  if (request.to) {
    throw new CliError(
      'On AWS, --to is not supported: the replay mapping reads from --from onwards until you delete it (the command prints how). Delete it when its OffsetLag reaches 0, or once it is past the records you wanted.',
      EXIT.usage,
    );
  }
  if (request.partition !== undefined) {
    throw new CliError(
      'On AWS, --partition is not supported: an event source mapping reads every partition of its topic.',
      EXIT.usage,
    );
  }
  if (request.from.at.getTime() > Date.now()) {
    throw new CliError('--from is in the future: a mapping cannot start there.', EXIT.usage);
  }
  return request.from.at;
}

/**
 * Creates the replay mapping, copying cluster, authentication and batching from the router's
 * live mapping of the same topic.
 *
 * @example
 * ```ts
 * const started = await startAwsReplay(lambda, { functionName: 'sluice-prod-router',
 *   topic: 'orders.events', from: { kind: 'timestamp', at: new Date('2026-11-28T10:00:00Z') },
 *   consumerGroupId: 'sluice-prod-replay-20261128T1000', batchSize: 100 });
 * ```
 */
export async function startAwsReplay(
  lambda: LambdaClient,
  request: AwsReplayRequest,
): Promise<AwsReplayStarted> {
  const at = checkAwsReplayRequest(request);
  const live = await liveMapping(lambda, request.functionName, request.topic);
  let created: EventSourceMappingConfiguration;
  try {
    created = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: request.functionName,
        EventSourceArn: live.EventSourceArn,
        Topics: [request.topic],
        StartingPosition: 'AT_TIMESTAMP',
        StartingPositionTimestamp: at,
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: request.consumerGroupId },
        BatchSize: live.BatchSize ?? request.batchSize,
        ...(live.MaximumBatchingWindowInSeconds !== undefined
          ? { MaximumBatchingWindowInSeconds: live.MaximumBatchingWindowInSeconds }
          : {}),
        ...(live.SourceAccessConfigurations?.length
          ? { SourceAccessConfigurations: live.SourceAccessConfigurations }
          : {}),
        Enabled: true,
      }),
    );
  } catch (error) {
    throw classifyAwsError(error, `Creating the replay mapping on ${request.functionName} failed`);
  }
  const uuid = created.UUID ?? '';
  return {
    uuid,
    state: created.State ?? 'Creating',
    functionName: request.functionName,
    eventSourceArn: live.EventSourceArn ?? '',
    topic: request.topic,
    consumerGroupId: request.consumerGroupId,
    startingPositionTimestamp: at.toISOString(),
    copiedFrom: live.UUID ?? '',
    followUp: {
      status: `aws lambda get-event-source-mapping --uuid ${uuid}`,
      delete: `aws lambda delete-event-source-mapping --uuid ${uuid}`,
    },
  };
}

async function liveMapping(
  lambda: LambdaClient,
  functionName: string,
  topic: string,
): Promise<EventSourceMappingConfiguration> {
  const mappings: EventSourceMappingConfiguration[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await lambda.send(
        new ListEventSourceMappingsCommand({ FunctionName: functionName, Marker: marker }),
      );
      mappings.push(...(page.EventSourceMappings ?? []));
      marker = page.NextMarker;
    } while (marker);
  } catch (error) {
    throw classifyAwsError(error, `Listing the mappings of ${functionName} failed`);
  }
  const live = mappings.find(
    (m) => m.EventSourceArn?.startsWith('arn:aws:kafka:') && m.Topics?.includes(topic),
  );
  if (!live) {
    throw new CliError(
      `${functionName} has no MSK event source mapping for topic ${topic} to copy the cluster from (--function, --stage?).`,
    );
  }
  return live;
}
