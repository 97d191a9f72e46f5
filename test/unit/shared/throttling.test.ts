import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../functions/shared/errors';
import {
  allOrWorst,
  classifyAwsErrorWithThrottling,
  errorForHttpStatus,
  ThrottledError,
  worstError,
} from '../../../functions/shared/throttling';

describe('errorForHttpStatus', () => {
  it.each([
    [429, ThrottledError],
    [408, TransientError],
    [425, TransientError],
    [500, TransientError],
    [503, TransientError],
    [400, PermanentError],
    [403, PermanentError],
    [404, PermanentError],
    [413, PermanentError],
  ])('%i → %s', (status, type) => {
    const error = errorForHttpStatus(status, 'PUT /x');
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(`PUT /x: HTTP ${status}`);
  });

  it('keeps Retry-After and is transient', () => {
    const error = errorForHttpStatus(429, 'bulk', { retryAfterSeconds: 7 });
    expect(error).toBeInstanceOf(TransientError);
    expect((error as ThrottledError).retryAfterSeconds).toBe(7);
  });
});

describe('classifyAwsErrorWithThrottling', () => {
  const sdk = (name: string, status: number, fault: 'client' | 'server') =>
    Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });

  it('separates throttling from other transient errors', () => {
    expect(
      classifyAwsErrorWithThrottling(
        sdk('ProvisionedThroughputExceededException', 400, 'client'),
        'put',
      ),
    ).toBeInstanceOf(ThrottledError);
    expect(classifyAwsErrorWithThrottling(sdk('Whatever', 429, 'client'), 'put')).toBeInstanceOf(
      ThrottledError,
    );
    const server = classifyAwsErrorWithThrottling(sdk('InternalServerError', 500, 'server'), 'put');
    expect(server).toBeInstanceOf(TransientError);
    expect(server).not.toBeInstanceOf(ThrottledError);
  });

  it('makes validation and access errors permanent', () => {
    expect(
      classifyAwsErrorWithThrottling(sdk('ValidationException', 400, 'client'), 'put'),
    ).toBeInstanceOf(PermanentError);
    expect(
      classifyAwsErrorWithThrottling(sdk('AccessDeniedException', 403, 'client'), 'put'),
    ).toBeInstanceOf(PermanentError);
  });
});

describe('allOrWorst', () => {
  it('waits for every promise and throws throttling before transient before permanent', async () => {
    let slowDone = false;
    const slow = new Promise<number>((resolve) =>
      setTimeout(() => {
        slowDone = true;
        resolve(1);
      }, 20),
    );
    const permanent = Promise.reject(new PermanentError('bad'));
    const transient = Promise.reject(new TransientError('later'));
    const throttled = Promise.reject(new ThrottledError('slow down'));
    await expect(allOrWorst([permanent, slow, transient, throttled])).rejects.toBeInstanceOf(
      ThrottledError,
    );
    expect(slowDone).toBe(true);
    await expect(
      allOrWorst([
        Promise.reject(new PermanentError('bad')),
        Promise.reject(new TransientError('x')),
      ]),
    ).rejects.toBeInstanceOf(TransientError);
    expect(await allOrWorst([Promise.resolve(1), Promise.resolve(2)])).toEqual([1, 2]);
  });
});

describe('worstError', () => {
  it('picks throttling, then transient, then permanent; the first of its rank', () => {
    const permanent = new PermanentError('bad');
    const first = new TransientError('first');
    const second = new TransientError('second');
    expect(worstError([permanent, first, second])).toBe(first);
    const throttled = new ThrottledError('slow down');
    expect(worstError([permanent, first, throttled])).toBe(throttled);
    expect(worstError([permanent])).toBe(permanent);
  });
});
