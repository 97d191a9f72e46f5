/**
 * Small formatters for output a person reads: durations, times, truncated text.
 */

/**
 * A duration in its two largest units, e.g. `13d 23h`, `4m 10s`, `0s`.
 *
 * @example
 * ```ts
 * duration(90_061); // '1d 1h'
 * ```
 */
export function duration(seconds: number): string {
  let rest = Math.max(0, Math.floor(seconds));
  const values: Array<[number, string]> = [];
  for (const [size, unit] of UNITS) {
    values.push([Math.floor(rest / size), unit]);
    rest %= size;
  }
  const first = values.findIndex(([value]) => value > 0);
  if (first === -1) return '0s';
  return values
    .slice(first, first + 2)
    .filter(([value], i) => i === 0 || value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join(' ');
}

const UNITS: ReadonlyArray<[number, string]> = [
  [86_400, 'd'],
  [3_600, 'h'],
  [60, 'm'],
  [1, 's'],
];

/** An ISO time without milliseconds (`2026-11-28T10:00:00Z`); `-` when unknown. */
export function time(iso: string | undefined): string {
  if (!iso) return '-';
  const parsed = Date.parse(iso);
  return Number.isNaN(parsed) ? iso : new Date(parsed).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `text` cut to `max` characters with an ellipsis, on one line. */
export function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A share as a whole percentage, e.g. `40%`. */
export function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${Math.round((part / whole) * 100)}%`;
}
