import { describe, expect, it } from 'vitest';
import { InvocationTimeoutError, invokeHandler } from '../../../../local/event-sources/invoke';

describe('invokeHandler', () => {
  it('returns the response as Lambda would see it after JSON', async () => {
    const result = await invokeHandler(
      async () => ({ a: 1, skip: undefined, when: new Date(0) }),
      {},
    );
    expect(result).toEqual({ ok: true, response: { a: 1, when: '1970-01-01T00:00:00.000Z' } });
    expect(await invokeHandler(async () => undefined, {})).toEqual({ ok: true, response: null });
  });

  it('reports what the handler threw', async () => {
    const error = new Error('boom');
    expect(
      await invokeHandler(async () => {
        throw error;
      }, {}),
    ).toEqual({ ok: false, error });
  });

  it('fails an invocation that outlives its timeout, after it has finished', async () => {
    let finished = false;
    const result = await invokeHandler(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 120));
        finished = true;
        return { batchItemFailures: [] };
      },
      {},
      0.05,
    );
    expect(finished).toBe(true);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toBeInstanceOf(InvocationTimeoutError);
  });
});
