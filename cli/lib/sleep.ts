/**
 * Waiting that an abort cuts short, so Ctrl-C (or a test's AbortSignal) never waits out a
 * poll interval or a rate-limit pause.
 *
 * @example
 * ```ts
 * await sleep(1_000, io.signal); // resolves early, without throwing, when aborted
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
