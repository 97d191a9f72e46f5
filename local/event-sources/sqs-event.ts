/**
 * Converts messages received with the AWS SDK (`ReceiveMessage` with all attributes) into the
 * `SQSEvent` records an SQS event source mapping delivers to Lambda.
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

/** Where the records come from: the queue's ARN (its region becomes `awsRegion`). */
export interface SqsEventSource {
  readonly eventSourceARN: string;
}

/**
 * The Lambda record for one received message: system attributes as strings (including
 * ApproximateReceiveCount), message attributes in Lambda's camel-case form with binary values
 * as base64, `eventSource` `aws:sqs`.
 *
 * @example
 * ```ts
 * const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
 *   QueueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
 * }));
 * const event = { Records: Messages.map((m) => sqsRecordFrom(m, { eventSourceARN: arn })) };
 * ```
 */
export function sqsRecordFrom(message: Message, source: SqsEventSource): SQSRecord {
  if (!message.MessageId || !message.ReceiptHandle) {
    throw new Error('A received SQS message lacks MessageId or ReceiptHandle');
  }
  const record: SQSRecord = {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? '',
    attributes: recordAttributes(message.Attributes ?? {}),
    messageAttributes: messageAttributes(message.MessageAttributes ?? {}),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: source.eventSourceARN,
    awsRegion: regionOfArn(source.eventSourceARN),
  };
  if (message.MD5OfMessageAttributes)
    record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

/** The region field of an ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
export function regionOfArn(arn: string): string {
  const region = arn.split(':')[3];
  if (!region) throw new Error(`Not an ARN with a region: ${arn}`);
  return region;
}

function recordAttributes(attributes: Record<string, string>): SQSRecordAttributes {
  // Lambda passes every system attribute SQS returned; the four below are always present.
  return {
    ...attributes,
    ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
    SentTimestamp: attributes.SentTimestamp ?? '0',
    SenderId: attributes.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '0',
  };
}

function messageAttributes(
  attributes: Record<string, MessageAttributeValue>,
): Record<string, SQSMessageAttribute> {
  const converted: Record<string, SQSMessageAttribute> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const attribute: SQSMessageAttribute = {
      // The list fields are reserved by SQS; Lambda sends them as empty arrays.
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType ?? 'String',
    };
    if (value.StringValue !== undefined) attribute.stringValue = value.StringValue;
    if (value.BinaryValue !== undefined) {
      attribute.binaryValue = Buffer.from(value.BinaryValue).toString('base64');
    }
    converted[name] = attribute;
  }
  return converted;
}
