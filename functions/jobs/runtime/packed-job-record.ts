/**
 * One job of a delivered pack as a record of its own: the pack's message id, receipt handle
 * and attributes, the job's message already parsed (the pack is parsed once, with all its
 * jobs), and the job's own body written only when read — rarely: to send the job again or to
 * dead-letter it — since writing each costs as much as parsing it.
 *
 * A class, not an object literal with a getter or a record tagged in a WeakMap: a runtime
 * makes one per packed job, and those cost several times more to make. The body is an
 * accessor of the class, so a copy of the record (`{ ...record }`) is a plain record without
 * it unless one is given (the only copy the runtime makes, reading a claim-checked letter,
 * gives its own); written as JSON, the record has its body.
 */
import type { SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { ATTEMPTS_ATTRIBUTE } from '../../queues/job-message';

/**
 * @example
 * ```ts
 * const record = new PackedJobRecord(packRecord, pack.jobs[0], () => JSON.stringify(pristine[0]), 0);
 * record.message === pack.jobs[0]; // readDelivery reads it without parsing the body
 * ```
 */
export class PackedJobRecord implements SQSRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly attributes: SQSRecordAttributes;
  readonly messageAttributes: SQSMessageAttributes;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly eventSource: string;
  readonly eventSourceARN: string;
  readonly awsRegion: string;
  readonly #message: unknown;
  readonly #write: () => string;
  #body: string | undefined;

  /**
   * @param pack the delivered record of the pack
   * @param message the job's message, as parsed with the pack
   * @param write writes the job's body (from a parse of its own: a job may change its message)
   * @param attempts the job's attempts so far, carried by the pack
   */
  constructor(pack: SQSRecord, message: unknown, write: () => string, attempts: number) {
    this.messageId = pack.messageId;
    this.receiptHandle = pack.receiptHandle;
    this.attributes = pack.attributes;
    this.messageAttributes =
      attempts > 0
        ? {
            ...pack.messageAttributes,
            [ATTEMPTS_ATTRIBUTE]: { dataType: 'Number', stringValue: String(attempts) },
          }
        : pack.messageAttributes;
    this.md5OfBody = pack.md5OfBody;
    this.md5OfMessageAttributes = pack.md5OfMessageAttributes;
    this.eventSource = pack.eventSource;
    this.eventSourceARN = pack.eventSourceARN;
    this.awsRegion = pack.awsRegion;
    this.#message = message;
    this.#write = write;
  }

  /** The job's message as parsed with its pack. */
  get message(): unknown {
    return this.#message;
  }

  /** The job's own message as JSON: what a pack sent again carries. */
  get body(): string {
    this.#body ??= this.#write();
    return this.#body;
  }

  set body(body: string) {
    this.#body = body;
  }

  /** The record as a plain one, its body written (for logs, and anything else that writes it). */
  toJSON(): SQSRecord {
    return { ...this, body: this.body };
  }
}
