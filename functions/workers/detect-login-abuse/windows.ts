/**
 * Fixed counting windows, aligned to the epoch, taken from the event's own time rather
 * than the time it is processed: a backlog or a retry still counts a failure in the window
 * it happened in.
 */
import { PermanentError } from '../../shared/errors';

export interface CountingWindow {
  /** ISO 8601 start, inclusive, e.g. `2026-11-28T10:05:00.000Z`. */
  readonly start: string;
  /** ISO 8601 end, exclusive. */
  readonly end: string;
  /** End in epoch seconds (for TTLs). */
  readonly endSeconds: number;
}

/**
 * Milliseconds since the epoch of an RFC 3339 time. Accepts what the schema accepts,
 * including lower-case `t`/`z` and the leap second `:60` (counted as :59, which keeps it in
 * the right window), which `Date.parse` alone rejects.
 */
export function epochMillis(time: string): number {
  const normalized = time.toUpperCase().replace(/^(.{17})60/, '$159');
  const millis = Date.parse(normalized);
  if (Number.isNaN(millis)) throw new PermanentError(`Not an RFC 3339 time: "${time}"`);
  return millis;
}

/**
 * The window of `windowSeconds` that contains `time`.
 *
 * @example
 * ```ts
 * windowOf('2026-11-28T10:07:13Z', 300).start; // '2026-11-28T10:05:00.000Z'
 * ```
 */
export function windowOf(time: string, windowSeconds: number): CountingWindow {
  const size = windowSeconds * 1000;
  const startMillis = Math.floor(epochMillis(time) / size) * size;
  const endMillis = startMillis + size;
  return {
    start: new Date(startMillis).toISOString(),
    end: new Date(endMillis).toISOString(),
    endSeconds: endMillis / 1000,
  };
}
