/**
 * What every command shares: the stage, whether it talks to the local stack, and AWS clients
 * built once per run from the usual AWS environment (profile, region, endpoint variables).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { resourceName, STAGE_PATTERN } from '../../functions/topology/naming';
import { applyLocalServiceEnv, kafkaBrokersVariable } from '../../local/services/endpoints';
import { CliError, type CliIo, EXIT } from './io';
import { QueueDirectory } from './queues';

/** Options every command accepts (commander puts them on the root program). */
export interface GlobalOptions {
  readonly stage?: string;
  readonly local?: boolean;
}

/** The stage when neither `--stage` nor SLUICE_STAGE names one. */
export const DEFAULT_STAGE = 'dev';

/**
 * @example
 * ```ts
 * const context = new CliContext(io, { stage: 'prod' });
 * const url = await context.queues.url('ingest-dlq');
 * context.close();
 * ```
 */
export class CliContext {
  readonly stage: string;
  /** True with `--local` or SLUICE_LOCAL=1: endpoints of the local stack fill the gaps. */
  readonly local: boolean;
  private clients: {
    sqs?: SQSClient;
    dynamodb?: DynamoDBClient;
    s3?: S3Client;
    cloudwatch?: CloudWatchClient;
    lambda?: LambdaClient;
  } = {};
  private queueDirectory?: QueueDirectory;

  constructor(
    readonly io: CliIo,
    options: GlobalOptions,
  ) {
    const stage = options.stage ?? io.env.SLUICE_STAGE ?? DEFAULT_STAGE;
    if (!STAGE_PATTERN.test(stage)) {
      throw new CliError(
        `Invalid stage "${stage}": 1-24 lowercase letters, digits or hyphens, starting with a letter`,
        EXIT.usage,
      );
    }
    this.stage = stage;
    this.local = options.local === true || ['1', 'true'].includes(io.env.SLUICE_LOCAL ?? '');
    // Only on request: on AWS the SDK's own resolution (profile, region, endpoints) must win.
    if (this.local) applyLocalServiceEnv(io.env);
  }

  /** The physical name of a logical resource, `sluice-<stage>-<name>`. */
  name(logicalName: string): string {
    return resourceName(this.stage, logicalName);
  }

  get sqs(): SQSClient {
    this.clients.sqs ??= new SQSClient({});
    return this.clients.sqs;
  }

  get dynamodb(): DynamoDBClient {
    this.clients.dynamodb ??= new DynamoDBClient({});
    return this.clients.dynamodb;
  }

  get s3(): S3Client {
    // Local S3 servers serve buckets by path, not by host name.
    const pathStyle = this.local || this.io.env.SLUICE_S3_FORCE_PATH_STYLE === 'true';
    this.clients.s3 ??= new S3Client({ forcePathStyle: pathStyle });
    return this.clients.s3;
  }

  get cloudwatch(): CloudWatchClient {
    this.clients.cloudwatch ??= new CloudWatchClient({});
    return this.clients.cloudwatch;
  }

  get lambda(): LambdaClient {
    this.clients.lambda ??= new LambdaClient({});
    return this.clients.lambda;
  }

  get queues(): QueueDirectory {
    this.queueDirectory ??= new QueueDirectory(this.sqs, this.stage);
    return this.queueDirectory;
  }

  /** Kafka bootstrap brokers: `--brokers`, else SLUICE_KAFKA_BROKERS. */
  kafkaBrokers(option?: string): string[] {
    const list = option ?? this.io.env[kafkaBrokersVariable] ?? '';
    const brokers = list
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b !== '');
    if (brokers.length === 0) {
      throw new CliError(
        `No Kafka brokers: pass --brokers host:port or set ${kafkaBrokersVariable} (--local sets it)`,
        EXIT.usage,
      );
    }
    return brokers;
  }

  /** Releases the clients' sockets so the process can exit. */
  close(): void {
    for (const client of Object.values(this.clients)) client?.destroy();
    this.clients = {};
  }
}
