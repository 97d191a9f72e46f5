import type { ServiceStatus } from './lifecycle';

function mebibytes(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${Math.round(bytes / 1024 / 1024)} MiB`;
}

/** Renders status rows as an aligned plain-text table with a total memory line. */
export function formatStatusTable(rows: readonly ServiceStatus[]): string {
  const header = ['NAME', 'STATE', 'PID', 'PORTS', 'RSS', 'LIMIT', 'LOG'];
  const cells = rows.map((row) => [
    row.name,
    row.state,
    row.pid === undefined ? '-' : String(row.pid),
    row.ports.join(','),
    mebibytes(row.rssBytes),
    `${row.memoryMiB} MiB`,
    row.logFile,
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...cells.map((c) => c[i]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const total = rows.reduce((sum, row) => sum + (row.rssBytes ?? 0), 0);
  return [line(header), ...cells.map(line), `total RSS: ${mebibytes(total)}`].join('\n');
}
