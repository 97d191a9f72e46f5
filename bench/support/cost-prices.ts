/**
 * List prices, us-east-1, on-demand, as of 2026-12-06 (no free tier, no Savings Plans, first
 * pricing tier). The official pages, and the summaries they were checked against that day
 * (the official pages' tables are rendered by script; the figures agree across sources):
 * - Lambda: https://aws.amazon.com/lambda/pricing/ — arm64 $0.0000133334 per GB-second (first
 *   7.5 billion GB-s a month), $0.20 per million requests (cloudchipr.com/blog/aws-lambda-pricing).
 * - SQS: https://aws.amazon.com/sqs/pricing/ — standard queues $0.40 per million requests
 *   (lower only past 100 billion a month); each 64 KB chunk of a request's payload is one
 *   request (cloudburn.io/blog/amazon-sqs-pricing, March 2026).
 * - DynamoDB: https://aws.amazon.com/dynamodb/pricing/on-demand/ — on demand, Standard table
 *   class, $0.625 per million write request units and $0.125 per million read request units,
 *   after the 50 % cut of November 2024 (airbyte.com/data-engineering-resources/dynamodb-pricing).
 * - S3: https://aws.amazon.com/s3/pricing/ — Standard, $0.005 per 1,000 PUT, COPY, POST and
 *   LIST requests, $0.0004 per 1,000 GET and other requests; DELETE is free
 *   (c3x.dev/blog/s3-request-fees-explained).
 * - CloudWatch: https://aws.amazon.com/cloudwatch/pricing/ — Logs ingestion (Standard class)
 *   $0.50 per GB; custom metrics $0.30 per metric a month for the first 10,000
 *   (signoz.io/guides/cloudwatch-pricing, February 2026).
 */

export const PRICES_AS_OF = '2026-12-06';

export const PRICES = {
  lambdaPerGbSecond: 0.000_013_333_4,
  lambdaPerRequest: 0.2 / 1e6,
  sqsPerRequest: 0.4 / 1e6,
  dynamoPerWriteUnit: 0.625 / 1e6,
  dynamoPerReadUnit: 0.125 / 1e6,
  s3PerTier1Request: 0.005 / 1000,
  s3PerTier2Request: 0.0004 / 1000,
  logsPerGb: 0.5,
  metricPerMonth: 0.3,
} as const;

/** S3 request classes: PUT, COPY, POST, LIST are tier 1; DELETE is free; the rest tier 2. */
export function s3RequestPrice(operation: string): number {
  if (/^Delete/.test(operation)) return 0;
  if (/^(Put|Copy|CreateMultipart|UploadPart|CompleteMultipart|List)/.test(operation)) {
    return PRICES.s3PerTier1Request;
  }
  return PRICES.s3PerTier2Request;
}
