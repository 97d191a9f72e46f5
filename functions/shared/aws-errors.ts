/**
 * Classifies errors thrown by AWS SDK v3 clients (and HTTP statuses) as transient or
 * permanent, so callers branch on a type rather than on error-name strings.
 */
import { PermanentError, TransientError } from './errors';

/** Error names AWS services use when they push back on the caller's rate. */
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
]);

/** Throttling plus timeouts and service-side faults: worth retrying. */
const TRANSIENT_NAMES = new Set([
  ...AWS_THROTTLING_ERROR_NAMES,
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
]);

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
