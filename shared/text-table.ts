/**
 * Aligned plain-text tables for output a person reads (service status, the dev summary,
 * the ops CLI): columns padded to their widest cell, numbers right-aligned.
 */

export type Align = 'left' | 'right';

/**
 * @param header column titles
 * @param rows cells as text; a shorter row leaves its last cells empty
 * @param align per column; default left
 * @example
 * ```ts
 * textTable(['QUEUE', 'DEPTH'], [['ingest-dlq', '3']], ['left', 'right']);
 * // QUEUE       DEPTH
 * // ingest-dlq      3
 * ```
 */
export function textTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  align: readonly Align[] = [],
): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    header
      .map((_, i) => {
        const value = values[i] ?? '';
        const width = widths[i] ?? 0;
        return align[i] === 'right' ? value.padStart(width) : value.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A count with thousands separators, e.g. `12,345`. */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}
