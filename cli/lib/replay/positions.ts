/**
 * Replay positions as typed on the command line: an offset (digits only) or a timestamp
 * (ISO 8601). Digits are never read as epoch milliseconds — `1764322200000` would be a
 * plausible offset too, and guessing wrong replays the wrong records.
 */
import { CliError, EXIT } from '../io';

export type Position =
  | { readonly kind: 'offset'; readonly offset: bigint }
  | { readonly kind: 'timestamp'; readonly at: Date };

/**
 * @example
 * ```ts
 * parsePosition('42', '--from'); // { kind: 'offset', offset: 42n }
 * parsePosition('2026-11-28T10:00:00Z', '--from'); // { kind: 'timestamp', at: Date }
 * ```
 */
export function parsePosition(text: string, flag: string): Position {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { kind: 'offset', offset: BigInt(trimmed) };
  // A date at least: YYYY-MM-DD, optionally with a time and zone.
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    const at = new Date(trimmed);
    if (!Number.isNaN(at.getTime())) return { kind: 'timestamp', at };
  }
  throw new CliError(
    `${flag} "${text}": expected an offset (digits) or an ISO 8601 timestamp such as 2026-11-28T10:00:00Z`,
    EXIT.usage,
  );
}

/** A position as a person reads it back. */
export function describePosition(position: Position): string {
  return position.kind === 'offset' ? `offset ${position.offset}` : position.at.toISOString();
}
