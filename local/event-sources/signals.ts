/**
 * Two small coordination primitives the runners share: a wake-up a loop sleeps on until
 * something happens or a time passes, and counting slots that bound concurrent invocations.
 */

/** A loop's sleep that new work, a deadline or `stop` ends. Notifications are never lost. */
export class Wakeup {
  #pending = false;
  #wake: (() => void) | undefined;

  /** Ends the current or the next wait. */
  notify(): void {
    if (this.#wake) {
      this.#wake();
    } else {
      this.#pending = true;
    }
  }

  /** Resolves on `notify()` or at the epoch millisecond `until` (never, when undefined). */
  wait(until?: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer =
        until === undefined ? undefined : setTimeout(done, Math.max(0, until - Date.now()));
      const self = this;
      function done() {
        if (timer) clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }
}

/** At most `size` holders at once; `close()` makes pending and later acquires return false. */
export class Slots {
  #free: number;
  #closed = false;
  readonly #waiters: Array<(granted: boolean) => void> = [];

  constructor(size: number) {
    this.#free = size;
  }

  acquire(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next && !this.#closed) {
      next(true);
    } else {
      this.#free += 1;
    }
  }

  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter(false);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(finish, ms);
    signal.addEventListener('abort', finish, { once: true });
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    }
  });
}
