/**
 * The SQS throttling trap as a synth-time rule: an SQS event source mapping does not respect
 * reserved concurrency, so when a function reserves less than the sum of its SQS mappings'
 * maxConcurrency, Lambda throttles, messages go back to the queue, their receive count
 * climbs, and they land in the DLQ without ever failing. Synth refuses such a function, and
 * any reservation on a function with an SQS mapping in provisioned mode (such a mapping takes
 * no maxConcurrency, so nothing caps it).
 */
import { Stack } from 'aws-cdk-lib';
import { type CfnEventSourceMapping, CfnFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';

function isEventSourceMapping(construct: IConstruct): construct is CfnEventSourceMapping {
  return (
    (construct as { cfnResourceType?: string }).cfnResourceType ===
    'AWS::Lambda::EventSourceMapping'
  );
}

/**
 * The reserved concurrency of `fn` and the sum of the maxConcurrency of every event source
 * mapping in its stack that targets it; `undefined` fields when unset.
 */
export function concurrencyOf(fn: IFunction): {
  reserved?: number;
  mappingsMax: number;
  /** An SQS mapping in provisioned mode: no maximum concurrency bounds it. */
  unbounded: boolean;
} {
  const stack = Stack.of(fn);
  const cfn = fn.node.defaultChild;
  const reserved = cfn instanceof CfnFunction ? cfn.reservedConcurrentExecutions : undefined;
  const target = stack.resolve(fn.functionName);
  let mappingsMax = 0;
  let unbounded = false;
  for (const mapping of stack.node.findAll().filter(isEventSourceMapping)) {
    if (JSON.stringify(stack.resolve(mapping.functionName)) !== JSON.stringify(target)) continue;
    const scaling = stack.resolve(mapping.scalingConfig) as
      | { maximumConcurrency?: number }
      | undefined;
    mappingsMax += scaling?.maximumConcurrency ?? 0;
    const isKafka = mapping.topics !== undefined;
    if (!isKafka && mapping.provisionedPollerConfig && scaling?.maximumConcurrency === undefined) {
      unbounded = true;
    }
  }
  return { reserved: typeof reserved === 'number' ? reserved : undefined, mappingsMax, unbounded };
}

/**
 * Adds the rule to `fn`: synth fails unless its reserved concurrency (when it has one) is at
 * least the sum of its event source mappings' maxConcurrency.
 *
 * @example
 * ```ts
 * worker.addEventSource(new SqsEventSource(queue, { maxConcurrency: 10 }));
 * guardReservedConcurrency(worker); // reservedConcurrentExecutions 5 → synth error
 * ```
 */
export function guardReservedConcurrency(fn: IFunction): void {
  fn.node.addValidation({
    validate: () => {
      const { reserved, mappingsMax, unbounded } = concurrencyOf(fn);
      if (reserved !== undefined && unbounded) {
        return [
          `Reserved concurrency ${reserved} of ${fn.node.path} caps an SQS event source in provisioned mode, which no maxConcurrency bounds: Lambda would throttle, and throttled messages reach the DLQ without failing. Remove the reservation.`,
        ];
      }
      if (reserved === undefined || reserved >= mappingsMax) return [];
      return [
        `Reserved concurrency ${reserved} of ${fn.node.path} is below the sum of its SQS event sources' maxConcurrency (${mappingsMax}): Lambda would throttle, and throttled messages reach the DLQ without failing. Raise the reservation, lower maxConcurrency, or set the reservation to null.`,
      ];
    },
  });
}
