import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { isRecordedProcessAlive, type PidRecord } from './pid-file';
import { sleep } from './wait';

/** What to run for a service. */
export interface DetachedCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Starts a long-running process in its own session (so Ctrl-C on the CLI does not reach it
 * and its whole process group can be signalled), with stdout and stderr appended to the log
 * file, and returns its pid without waiting for it.
 */
export function spawnDetached(cmd: DetachedCommand): Promise<number> {
  const log = openSync(cmd.logFile, 'a');
  try {
    const child = spawn(cmd.command, [...cmd.args], {
      cwd: cmd.cwd,
      env: cmd.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    return new Promise((resolvePid, reject) => {
      child.once('error', (error) =>
        reject(new Error(`cannot run ${cmd.command}: ${error.message}`)),
      );
      child.once('spawn', () => {
        child.unref();
        if (child.pid === undefined) reject(new Error(`${cmd.command} started without a pid`));
        else resolvePid(child.pid);
      });
    });
  } finally {
    closeSync(log); // the child holds its own copy of the descriptor
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Negative pid: the process group spawnDetached created, so helpers it forked stop too.
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * The pids of the live processes in process group `pgid` (field 5 of /proc/<pid>/stat), the
 * leader included while it lives. Zombies are left out: they are gone but for their parent.
 */
export async function processGroupMembers(pgid: number): Promise<number[]> {
  const members: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the command (which may hold spaces): state, ppid, pgrp, …
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) members.push(Number(entry));
  }
  return members;
}

/**
 * Stops a process we started and every process of its group (helpers it forked, e.g.
 * LocalStack's function processes): SIGTERM to the group, then SIGKILL to the group if the
 * leader is still alive after `graceMs`, or if members outlive the leader by 5 s. Resolves
 * once the leader is gone. Does nothing for a reused pid.
 *
 * @returns how the leader ended: 'terminated', 'killed', or 'not-running'
 */
export async function stopProcess(
  record: PidRecord,
  graceMs = 20_000,
): Promise<'terminated' | 'killed' | 'not-running'> {
  if (!(await isRecordedProcessAlive(record))) return 'not-running';
  signalGroup(record.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(200);
    if (!(await isRecordedProcessAlive(record))) {
      await endStragglers(record.pid);
      return 'terminated';
    }
  }
  signalGroup(record.pid, 'SIGKILL');
  while (await isRecordedProcessAlive(record)) await sleep(100);
  await endStragglers(record.pid);
  return 'killed';
}

/** Waits up to 5 s for the rest of a stopped leader's group to end, then SIGKILLs it. */
async function endStragglers(pgid: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await processGroupMembers(pgid)).length > 0) {
    if (Date.now() > deadline) {
      signalGroup(pgid, 'SIGKILL');
      return;
    }
    await sleep(200);
  }
}

/** Resident memory of a process in bytes (VmRSS), or undefined when it is gone. */
export async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}
