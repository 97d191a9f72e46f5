import { readFile, rm, writeFile } from 'node:fs/promises';

/**
 * A pid file holds the pid on its first line and the process's start time (clock ticks
 * since boot, from /proc/<pid>/stat) on the second. `head -1 pid` still gives the pid; the
 * start time lets `down` tell our process from an unrelated one that reused the pid.
 */
export interface PidRecord {
  readonly pid: number;
  readonly startTicks: string | undefined;
}

/** The start time of a live process, or undefined when it is gone. */
export async function processStartTicks(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22, starttime
  } catch {
    return undefined;
  }
}

/** Records `pid` (and its start time) in `file`. */
export async function writePidFile(file: string, pid: number): Promise<void> {
  const startTicks = (await processStartTicks(pid)) ?? '';
  await writeFile(file, `${pid}\n${startTicks}\n`);
}

/** Reads a pid file; undefined when there is none or it is unreadable. */
export async function readPidFile(file: string): Promise<PidRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const [pidLine, ticksLine] = text.split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, startTicks: ticksLine || undefined };
}

/** Removes a pid file; no error when it is already gone. */
export async function removePidFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** True when the recorded process is still the one that was started (not a reused pid). */
export async function isRecordedProcessAlive(record: PidRecord): Promise<boolean> {
  const ticks = await processStartTicks(record.pid);
  if (ticks === undefined) return false;
  return record.startTicks === undefined || record.startTicks === ticks;
}
