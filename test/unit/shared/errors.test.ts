import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { isTransientAwsError } from '../../../functions/shared/aws-errors';
import { describeError, isTransient } from '../../../functions/shared/errors';

describe('error names', () => {
  it('survive minification, so dead letters name the same class in every build', async () => {
    const result = await build({
      stdin: {
        contents: `
          import { RecordRejectedError, TransientError } from './functions/shared/errors';
          import { ThrottledError } from './functions/shared/throttling';
          globalThis.names = [new RecordRejectedError('NOT_JSON', 'x'), new TransientError('x'), new ThrottledError('x')].map((e) => e.name);`,
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'cjs',
      write: false,
    });
    const scope: { names?: string[] } = {};
    new Function('globalThis', 'require', result.outputFiles[0]?.text ?? '')(scope, require);
    expect(scope.names).toEqual(['RecordRejectedError', 'TransientError', 'ThrottledError']);
  });
});

describe('transient or permanent', () => {
  const sdkError = (name: string, status: number, fault: 'client' | 'server' = 'client') =>
    Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });

  it.each([
    ['KmsThrottled', 400],
    ['KMSThrottlingException', 400],
    ['RequestTimeout', 400],
    ['RequestTimeTooSkewed', 403],
    ['OperationAborted', 409],
    ['TransactionConflictException', 400],
    ['ProvisionedThroughputExceededException', 400],
    ['KMSInternalException', 500],
    ['DependencyTimeoutException', 500],
    ['SlowDown', 503],
  ])('%s is transient', (name, status) => {
    expect(isTransientAwsError(sdkError(name, status))).toBe(true);
  });

  it.each([
    ['AccessDenied', 403],
    ['QueueDoesNotExist', 400],
    ['NoSuchKey', 404],
    ['KmsDisabled', 400],
    ['KMSInvalidStateException', 400],
    ['ConditionalCheckFailedException', 400],
    ['ValidationException', 400],
  ])('%s is permanent', (name, status) => {
    expect(isTransientAwsError(sdkError(name, status))).toBe(false);
  });
});

describe('describeError', () => {
  it.each([
    ['an Error', new TypeError('x'), { class: 'TypeError', message: 'x' }],
    ['an object without a prototype', Object.create(null), { class: 'object', message: '{}' }],
    ['a symbol', Symbol('s'), { class: 'symbol', message: 'Symbol(s)' }],
    ['undefined', undefined, { class: 'undefined', message: 'undefined' }],
  ])('describes %s', (_label, thrown, described) => {
    expect(describeError(thrown)).toEqual(described);
  });

  it('never throws, not even for a Proxy whose every trap throws', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('get');
        },
        getPrototypeOf: () => {
          throw new Error('proto');
        },
        ownKeys: () => {
          throw new Error('keys');
        },
      },
    );
    expect(describeError(hostile).class).toBe('object');
    expect(isTransient(hostile)).toBe(true);
  });

  it('clips a huge message', () => {
    expect(describeError(new Error('x'.repeat(100_000))).message.length).toBeLessThan(5_000);
  });
});
