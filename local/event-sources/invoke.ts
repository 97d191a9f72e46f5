/**
 * Calling a handler as Lambda would: the response goes through JSON (so it is what Lambda
 * would see), and an invocation longer than the function timeout counts as failed. In-process
 * code cannot be killed, so a timed-out handler still runs to its end before this returns.
 */

export type InvocationResult =
  | { readonly ok: true; readonly response: unknown }
  | { readonly ok: false; readonly error: unknown };

/** The function ran longer than its timeout. */
export class InvocationTimeoutError extends Error {
  constructor(readonly timeoutSeconds: number) {
    super(`Task timed out after ${timeoutSeconds} seconds`);
    this.name = 'InvocationTimeoutError';
  }
}

/**
 * @example
 * ```ts
 * const result = await invokeHandler(handler, event, 60);
 * if (!result.ok) console.error(result.error);
 * ```
 */
export async function invokeHandler<E>(
  handler: (event: E) => Promise<unknown>,
  event: E,
  timeoutSeconds?: number,
): Promise<InvocationResult> {
  const started = Date.now();
  let result: InvocationResult;
  try {
    const response = await handler(event);
    // Lambda serialises the response; undefined becomes null, functions disappear.
    const json = JSON.stringify(response);
    result = { ok: true, response: json === undefined ? null : JSON.parse(json) };
  } catch (error) {
    result = { ok: false, error };
  }
  if (timeoutSeconds !== undefined && Date.now() - started > timeoutSeconds * 1000) {
    return { ok: false, error: new InvocationTimeoutError(timeoutSeconds) };
  }
  return result;
}
