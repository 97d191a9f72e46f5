import { textTable } from '../../shared/text-table';
import type { ServiceStatus } from './lifecycle';

function mebibytes(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${Math.round(bytes / 1024 / 1024)} MiB`;
}

/** Renders status rows as an aligned plain-text table with a total memory line. */
export function formatStatusTable(rows: readonly ServiceStatus[]): string {
  // LIMIT: enforced — a JVM's heap ceiling, moto's address-space ceiling.
  const header = ['NAME', 'STATE', 'PID', 'PORTS', 'RSS', 'LIMIT', 'LOG'];
  const cells = rows.map((row) => [
    row.name,
    row.state,
    row.pid === undefined ? '-' : String(row.pid),
    row.ports.join(','),
    mebibytes(row.rssBytes),
    row.memoryLimitMiB === undefined ? 'none' : `${row.memoryLimitMiB} MiB`,
    row.logFile,
  ]);
  const total = rows.reduce((sum, row) => sum + (row.rssBytes ?? 0), 0);
  return `${textTable(header, cells, ['left', 'left', 'right', 'left', 'right', 'right'])}\ntotal RSS: ${mebibytes(total)}`;
}
