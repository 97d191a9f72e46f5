/**
 * How old the oldest message of each queue is. On AWS: CloudWatch's
 * ApproximateAgeOfOldestMessage (what the alarm reads). On the local stack there is no
 * CloudWatch, so a sample of messages is read and their SentTimestamp compared — an
 * estimate the output labels as such.
 */
import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { scanQueue } from './dlq-scan';

/** CloudWatch publishes SQS metrics every minute; look back far enough to find one. */
const LOOKBACK_MS = 15 * 60_000;

/**
 * The latest ApproximateAgeOfOldestMessage (seconds) per queue name; a queue without a
 * datapoint in the last 15 minutes is absent from the map.
 *
 * @example
 * ```ts
 * const ages = await cloudWatchOldestAges(cloudwatch, ['sluice-prod-ingest-dlq'], new Date());
 * ```
 */
export async function cloudWatchOldestAges(
  cloudwatch: CloudWatchClient,
  queueNames: readonly string[],
  now: Date,
): Promise<Map<string, number>> {
  const ages = new Map<string, number>();
  if (queueNames.length === 0) return ages;
  let nextToken: string | undefined;
  do {
    const response = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - LOOKBACK_MS),
        EndTime: now,
        ScanBy: 'TimestampDescending',
        NextToken: nextToken,
        MetricDataQueries: queueNames.map((name, i) => ({
          Id: `q${i}`,
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/SQS',
              MetricName: 'ApproximateAgeOfOldestMessage',
              Dimensions: [{ Name: 'QueueName', Value: name }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        })),
      }),
    );
    for (const result of response.MetricDataResults ?? []) {
      const name = queueNames[Number((result.Id ?? '').slice(1))];
      const latest = result.Values?.[0];
      if (name !== undefined && latest !== undefined && !ages.has(name)) ages.set(name, latest);
    }
    nextToken = response.NextToken;
  } while (nextToken);
  return ages;
}

/** An age estimated from a sample of messages. */
export interface SampledAge {
  /** Seconds since the oldest sampled message was sent; undefined for an empty queue. */
  readonly ageSeconds?: number;
  /** Messages looked at. */
  readonly sampled: number;
  /** True when every message of the queue was in the sample: the age is then exact. */
  readonly complete: boolean;
}

/**
 * Reads up to `max` messages (made visible again at once) and returns the oldest's age.
 *
 * @example
 * ```ts
 * const { ageSeconds } = await sampledOldestAge(sqs, dlqUrl, 100, new Date());
 * ```
 */
export async function sampledOldestAge(
  sqs: SQSClient,
  queueUrl: string,
  max: number,
  now: Date,
): Promise<SampledAge> {
  const scan = await scanQueue(sqs, queueUrl, { max, visibilityTimeoutSeconds: 30 });
  try {
    const sent = scan.entries.map((e) => e.sentTimestamp).filter((t) => t > 0);
    const oldest = sent.length > 0 ? Math.min(...sent) : undefined;
    return {
      ...(oldest !== undefined ? { ageSeconds: Math.max(0, (now.getTime() - oldest) / 1000) } : {}),
      sampled: scan.entries.length,
      complete: scan.complete,
    };
  } finally {
    await scan.release();
  }
}
