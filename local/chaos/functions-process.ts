/**
 * Starts, stops and kills a functions' process (functions-main.ts) of the chaos suite. Its
 * output is appended to a log file, so what the functions said survives the process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { join } from 'node:path';
import { TOPICS, type TopicKey } from '../../functions/topology/topology';
import { repoRoot } from '../services/paths';

/** What the process prints once every consumer group is joined and every poller runs. */
export const READY_LINE = 'sluice-functions-ready';

/** router: the router's Kafka mappings and the replay mapping; workers: the job mappings. */
export const FUNCTION_ROLES = ['router', 'workers'] as const;
export type FunctionRole = (typeof FUNCTION_ROLES)[number];

/** Per-run topic names, `<prefix>.<topic>`, as the e2e test and the chaos runner publish. */
export function prefixedTopic(prefix: string): (topic: TopicKey) => string {
  return (topic) => `${prefix}.${TOPICS[topic].name}`;
}

export interface FunctionsProcessOptions {
  readonly stage: string;
  readonly topicPrefix: string;
  readonly role: FunctionRole;
  readonly logFile: string;
  /** How long to wait for the ready line; 3 minutes (a restart waits for its group). */
  readonly readyTimeoutMs?: number;
}

/**
 * @example
 * ```ts
 * const router = new FunctionsProcess({ stage, topicPrefix, role: 'router', logFile });
 * await router.start();
 * router.kill(); // SIGKILL, mid-batch
 * await router.start();
 * await router.stop(); // SIGTERM: drains
 * ```
 */
export class FunctionsProcess {
  #child: ChildProcess | undefined;

  constructor(readonly options: FunctionsProcessOptions) {}

  /** Spawns the process and resolves once it is ready (rejects if it exits first). */
  async start(): Promise<void> {
    const { stage, topicPrefix, role, logFile } = this.options;
    const log = openSync(logFile, 'a');
    try {
      const child = spawn(
        process.execPath,
        [
          join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          join(repoRoot, 'local', 'chaos', 'functions-main.ts'),
          '--stage',
          stage,
          '--topic-prefix',
          topicPrefix,
          '--role',
          role,
        ],
        { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', log] },
      );
      this.#child = child;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${role} process not ready after ${this.readyTimeoutMs} ms`)),
          this.readyTimeoutMs,
        );
        let seen = '';
        const out = createWriteStream(logFile, { flags: 'a' });
        child.stdout?.on('data', (chunk: Buffer) => {
          // What the functions print goes on to the log; the ready line also ends the wait.
          out.write(chunk);
          seen = (seen + chunk.toString()).slice(-200);
          if (seen.includes(READY_LINE)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.stdout?.once('end', () => out.end());
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(
            new Error(
              `${role} process exited (${code ?? signal}) before it was ready; see ${logFile}`,
            ),
          );
        });
      });
    } finally {
      closeSync(log);
    }
  }

  get readyTimeoutMs(): number {
    return this.options.readyTimeoutMs ?? 180_000;
  }

  /** SIGKILL to its process group, without warning: batches in flight are lost mid-way. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-(child.pid as number), 'SIGKILL');
    await exited;
  }

  /** SIGTERM: in-flight batches finish and are committed; resolves when it has exited. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
