import { join } from 'node:path';

/** The `java` to run services with: `$JAVA_HOME/bin/java` when set, else `java` on PATH. */
export function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** JVM flags every Java service gets: a fixed heap ceiling, and exit (not limp) on OOM. */
export function jvmFlags(heapMiB: number): string[] {
  return [
    `-Xmx${heapMiB}m`,
    `-Xms${Math.min(heapMiB, 128)}m`,
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
  ];
}
