/**
 * Entry point of `npm run sluice -- <command>`: wires the process's streams and Ctrl-C to
 * `run`. The first Ctrl-C stops long commands cleanly (a redrive cancels its move task and
 * releases held messages); a second one exits at once.
 */
import { run } from './program';

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write('\nstopping… (Ctrl-C again to quit at once)\n');
  controller.abort();
});

const exitCode = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  signal: controller.signal,
  interactive: process.stderr.isTTY === true,
});
process.exitCode = exitCode;
