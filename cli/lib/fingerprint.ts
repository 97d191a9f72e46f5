/**
 * Failure fingerprints: dead letters that failed the same way — same error class, same
 * failing place (the JSON Pointer a schema rejected, else the reason), same code version —
 * share one. A short hash is the id to type (`--group`); the readable parts say what it is.
 */
import { createHash } from 'node:crypto';
import type { DeadLetter } from '../../functions/queues/dead-letter';

export interface Fingerprint {
  /** 10 hex characters: what `dlq redrive --group` takes. */
  readonly id: string;
  readonly errorClass: string;
  /** JSON Pointer of the failing value, else the failure reason (`NOT_JSON`, `JOB_FAILED`). */
  readonly where: string;
  readonly codeVersion: string;
  /** `<class>:<where>@<code version>`, e.g. `RecordRejectedError:/data/lines/0/unitPrice@3f2a9c1`. */
  readonly label: string;
}

/** The class given to a DLQ body that is not a Sluice dead letter (e.g. moved by SQS itself). */
export const NOT_A_DEAD_LETTER = 'NotADeadLetter';

/**
 * @example
 * ```ts
 * // A SCHEMA_VIOLATION letter whose error is a RecordRejectedError at /data/x, code abc:
 * fingerprintOf(JSON.parse(message.Body ?? '{}') as DeadLetter).label;
 * // 'RecordRejectedError:/data/x@abc'
 * ```
 */
export function fingerprintOf(letter: DeadLetter): Fingerprint {
  return fingerprint(
    letter.error.class,
    letter.error.path ?? String(letter.reason),
    letter.codeVersion,
  );
}

/**
 * The fingerprint of a body that is not a dead letter: SQS's own redrive policy moved a
 * message that kept failing (Lambda throttling, crashes), or someone sent something else.
 * `kind` tells them apart, e.g. `job-message` or `unreadable`.
 */
export function bareFingerprint(kind: string): Fingerprint {
  return fingerprint(NOT_A_DEAD_LETTER, kind, '-');
}

function fingerprint(errorClass: string, where: string, codeVersion: string): Fingerprint {
  const id = createHash('sha256')
    .update(`${errorClass}\n${where}\n${codeVersion}`)
    .digest('hex')
    .slice(0, 10);
  return { id, errorClass, where, codeVersion, label: `${errorClass}:${where}@${codeVersion}` };
}
