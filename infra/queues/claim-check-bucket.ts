/**
 * The claim-check bucket (`functions/queues/claim-check.ts`): where dead letters too large
 * for SQS are stored. Private, S3-managed encryption, TLS only, expiring, and retained when
 * the stack goes (it may hold the only copy of a dead letter).
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { StackPart } from '../stacks/stack-part';

export interface ClaimCheckStoreProps {
  /** Objects expire after this many days; longer than the DLQs keep their letters. */
  readonly expirationDays: number;
}

/**
 * @example
 * ```ts
 * const { bucket } = new ClaimCheckStore(stack, 'ClaimCheckStore', { expirationDays: 30 });
 * ```
 */
export class ClaimCheckStore extends StackPart {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ClaimCheckStoreProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'ClaimCheck', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'expire-claim-checks', expiration: Duration.days(props.expirationDays) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only Sluice functions read and write claim checks, each under its own prefix; access is audited by CloudTrail, and an access-log bucket would hold copies of dead-letter keys for longer than the letters.',
    });
  }
}
