import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** A finite command (an installer such as Maven or pip), run to completion. */
export interface InstallCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** Every output line is appended here, so a failed download can be diagnosed later. */
  readonly logFile: string;
  /** Called with each output line (stdout and stderr), e.g. to report download progress. */
  readonly onLine?: (line: string) => void;
}

/**
 * Runs a command to completion. Rejects with the command's last output lines when it exits
 * non-zero, or when it cannot be started (e.g. `mvn` is not installed).
 */
export function runCommand(cmd: InstallCommand): Promise<void> {
  const log = createWriteStream(cmd.logFile, { flags: 'a' });
  log.write(`\n$ ${cmd.command} ${cmd.args.join(' ')}\n`);
  const tail: string[] = [];
  const child = spawn(cmd.command, [...cmd.args], {
    cwd: cmd.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      tail.push(line);
      if (tail.length > 15) tail.shift();
      cmd.onLine?.(line);
    });
  }
  return new Promise((done, fail) => {
    child.once('error', (error) => {
      log.end();
      fail(new Error(`cannot run ${cmd.command}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      log.end();
      if (code === 0) done();
      else {
        const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
        fail(new Error(`${cmd.command} ${how}; see ${cmd.logFile}:\n${tail.join('\n')}`));
      }
    });
  });
}
