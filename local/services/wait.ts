/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/**
 * Settles like `promise`, or rejects after `ms` with `message`. The timer is always
 * cleared, so a finished race never keeps the process alive.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Answers false instead of throwing, and false after `ms`: health checks use this so
 * that a listener that never answers cannot stall `up`.
 */
export async function answersWithin(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  try {
    return await withTimeout(check(), ms, 'health check timed out');
  } catch {
    return false;
  }
}
