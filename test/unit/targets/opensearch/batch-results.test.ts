import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../../functions/shared/errors';
import { ThrottledError } from '../../../../functions/shared/throttling';
import {
  ThrottledWithBatchError,
  throttleOncePerBatch,
} from '../../../../functions/targets/opensearch/batch-results';

describe('throttleOncePerBatch', () => {
  it('keeps the first ThrottledError and retries the other throttled jobs plainly', () => {
    const first = new ThrottledError('429 a', { retryAfterSeconds: 3 });
    const second = new ThrottledError('429 b');
    const permanent = new PermanentError('400');
    const transient = new TransientError('503');
    const results = throttleOncePerBatch([undefined, first, permanent, second, transient]);

    expect(results[0]).toBeUndefined();
    expect(results[1]).toEqual({ kind: 'failed', error: first });
    expect(results[2]).toEqual({ kind: 'failed', error: permanent });
    expect(results[4]).toEqual({ kind: 'failed', error: transient });
    const demoted = results[3] as { kind: 'failed'; error: Error };
    expect(demoted.error).toBeInstanceOf(ThrottledWithBatchError);
    expect(demoted.error).toBeInstanceOf(TransientError);
    expect(demoted.error).not.toBeInstanceOf(ThrottledError);
    expect(demoted.error.cause).toBe(second);
    expect(demoted.error.message).toBe('429 b (throttled with its batch)');
  });

  it('leaves an all-success batch as successes', () => {
    expect(throttleOncePerBatch([undefined, undefined])).toEqual([undefined, undefined]);
  });
});
