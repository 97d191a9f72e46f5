/**
 * Claim checks: a payload too large for an SQS message is stored whole in S3 and the
 * message carries a pointer to it, so nothing is ever truncated.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { classifyAwsError } from '../shared/aws-errors';
import { PermanentError } from '../shared/errors';
import type { ClaimCheck } from './dead-letter';

/**
 * Stores `body` at `key` (encrypted with the bucket's default key) and returns the pointer.
 *
 * @example
 * ```ts
 * const claimCheck = await putClaimCheck(s3, 'sluice-prod-claim-check', 'ingest/t/0/42.json', json);
 * ```
 */
export async function putClaimCheck(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string,
): Promise<ClaimCheck> {
  const bytes = Buffer.from(body, 'utf8');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: bytes,
        ContentType: 'application/json',
        Metadata: { sha256 },
      }),
    );
  } catch (error) {
    throw classifyAwsError(error, `Storing claim check s3://${bucket}/${key} failed`);
  }
  return { bucket, key, bytes: bytes.length, sha256 };
}

/** The object a claim check points to is gone (expired, deleted): no retry brings it back. */
export class ClaimCheckMissingError extends PermanentError {
  override name = 'ClaimCheckMissingError';
}

/**
 * Reads a claim-checked payload back and verifies it is the one that was stored.
 *
 * @throws ClaimCheckMissingError when S3 has no such object; other failures classified
 */
export async function getClaimCheck(s3: S3Client, claimCheck: ClaimCheck): Promise<string> {
  let text: string;
  const where = `s3://${claimCheck.bucket}/${claimCheck.key}`;
  try {
    const response = await s3.send(
      new GetObjectCommand({ Bucket: claimCheck.bucket, Key: claimCheck.key }),
    );
    text = (await response.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    const { name, $metadata } = (error ?? {}) as {
      name?: string;
      $metadata?: { httpStatusCode?: number };
    };
    if (name === 'NoSuchKey' || name === 'NotFound' || $metadata?.httpStatusCode === 404) {
      throw new ClaimCheckMissingError(`Claim check ${where} is gone`, { cause: error });
    }
    throw classifyAwsError(error, `Reading claim check ${where} failed`);
  }
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  if (sha256 !== claimCheck.sha256) {
    throw new PermanentError(
      `Claim check s3://${claimCheck.bucket}/${claimCheck.key} does not match its checksum (expected ${claimCheck.sha256}, got ${sha256})`,
    );
  }
  return text;
}
