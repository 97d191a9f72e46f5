/**
 * Classifies errors thrown by AWS SDK v3 clients (and HTTP statuses) as transient or
 * permanent, so callers branch on a type rather than on error-name strings.
 */
import { PermanentError, TransientError } from './errors';

/**
 * Error names AWS services use when they push back on the caller's rate, from the error
 * lists of SQS (`RequestThrottled`, `KmsThrottled` for the queue's KMS key), S3 (`SlowDown`),
 * DynamoDB (`ProvisionedThroughputExceededException`, `RequestLimitExceeded`,
 * `ThrottlingException`) and KMS (`KMSThrottlingException`, `ThrottlingException`).
 */
export const AWS_THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'KMSThrottlingException',
  'KmsThrottled',
  'KMS.ThrottlingException',
]);

/**
 * Throttling plus timeouts, conflicts that resolve by themselves and service-side faults:
 * worth retrying. Reviewed against the error lists of SQS, S3, DynamoDB and KMS:
 *
 * - S3: `RequestTimeout` (HTTP 400), `RequestTimeTooSkewed` (403: the SDK corrects its clock
 *   on retry), `OperationAborted` (409: a conflicting operation in progress), 500/503;
 * - DynamoDB: `TransactionConflictException`, `TransactionInProgressException`,
 *   `ReplicatedWriteConflictException`, `LimitExceededException` (too many control-plane
 *   operations at once), `InternalServerError`;
 * - KMS: `KMSInternalException`, `DependencyTimeoutException`;
 * - the SDK's own: `TimeoutError`, `ExpiredToken`/`ExpiredTokenException` (credentials are
 *   refreshed on the next call).
 *
 * Permanent (not listed): validation, access, missing resources (`QueueDoesNotExist`,
 * `NoSuchBucket`, `NoSuchKey`, `ResourceNotFoundException`), disabled or missing keys
 * (`KmsDisabled`, `KmsNotFound`, `KmsAccessDenied`, `KmsInvalidState`, `KmsInvalidKeyUsage`,
 * `KmsOptInRequired`, `DisabledException`, `KMSInvalidStateException`), conditional checks,
 * oversized items.
 */
const TRANSIENT_NAMES = new Set([
  ...AWS_THROTTLING_ERROR_NAMES,
  'RequestTimeout',
  'RequestTimeoutException',
  'RequestTimeTooSkewed',
  'OperationAborted',
  'TimeoutError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'TransactionConflictException',
  'TransactionInProgressException',
  'ReplicatedWriteConflictException',
  'LimitExceededException',
  'KMSInternalException',
  'KMS.KMSInternalException',
  'DependencyTimeoutException',
  'ExpiredToken',
  'ExpiredTokenException',
]);

/**
 * SQS entry codes that no message can fix: the queue or its key is misconfigured, so every
 * entry to it fails alike. Such a failure stops the batch as a failed call does, instead of
 * dead-lettering each record as the sender's fault.
 */
const SQS_CONFIGURATION_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'KmsAccessDenied',
  'KmsDisabled',
  'KmsNotFound',
  'KmsInvalidState',
  'KmsInvalidKeyUsage',
  'KmsOptInRequired',
  'InvalidSecurity',
]);

/**
 * How one failed entry of a SendMessageBatch answer is to be taken: `transient` (retry it),
 * `message` (SQS blames this message: it will never be accepted as it is) or `configuration`
 * (the queue or its key is broken: no message can get through). The code decides before
 * `SenderFault`, which SQS also sets for throttling of the queue's KMS key.
 *
 * @example
 * ```ts
 * classifySqsEntryFailure('KmsThrottled', true); // 'transient'
 * classifySqsEntryFailure('InvalidMessageContents', true); // 'message'
 * ```
 */
export function classifySqsEntryFailure(
  code: string | undefined,
  senderFault: boolean,
): 'transient' | 'message' | 'configuration' {
  if (code !== undefined && TRANSIENT_NAMES.has(code)) return 'transient';
  if (code !== undefined && SQS_CONFIGURATION_CODES.has(code)) return 'configuration';
  return senderFault ? 'message' : 'transient';
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** True when an HTTP status means "try again later": 408, 425, 429 and every 5xx. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * Whether an AWS SDK error is worth retrying: throttling, 5xx, timeouts and network errors
 * are; validation and access errors are not. Unknown shapes count as transient.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const e = error as SdkErrorShape;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number') return isTransientStatus(status);
  if (e.$fault === 'client') return false;
  return true;
}

/** Wraps an SDK error in the matching Sluice error type, keeping it as `cause`. */
export function classifyAwsError(error: unknown, context: string): TransientError | PermanentError {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const message = `${context}: ${detail}`;
  return isTransientAwsError(error)
    ? new TransientError(message, { cause: error })
    : new PermanentError(message, { cause: error });
}
