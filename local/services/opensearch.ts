import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ServiceContext, ServiceDefinition } from './service';

/** OpenSearch release run locally; 2.19.6 is the newest whose plugins all run on Java 17. */
export const OPENSEARCH_VERSION = '2.19.6';
/** REST port, the same default the OpenSearch clients and the integration tests assume. */
export const OPENSEARCH_HTTP_PORT = 9200;
/** Node-to-node transport port; bound even on a single node, so it must be free too. */
export const OPENSEARCH_TRANSPORT_PORT = 9300;

/**
 * Java heap. 512 MiB is plenty for test-sized indices and leaves room for Kafka on a 2-core,
 * small-memory machine; override with SLUICE_OPENSEARCH_HEAP (e.g. `1g`).
 */
const HEAP = process.env.SLUICE_OPENSEARCH_HEAP ?? '512m';
const LAUNCHER_CLASS = 'SluiceOpenSearchNode';
/** The pom, launcher source and log4j2 config kept in the repository next to this file. */
const RESOURCES_DIR = fileURLToPath(new URL('./opensearch/', import.meta.url));
const POM = join(RESOURCES_DIR, 'pom.xml');
const LAUNCHER_SOURCE = join(RESOURCES_DIR, `${LAUNCHER_CLASS}.java`);
const LOG4J_CONFIG = join(RESOURCES_DIR, 'log4j2.properties');

/** Where one installed jar set and compiled launcher live inside the shared download cache. */
interface InstallPaths {
  readonly root: string;
  readonly lib: string;
  readonly classes: string;
  readonly marker: string;
}

/**
 * The install folder is keyed on a hash of the pom and launcher, so editing either one installs
 * afresh beside the old copy instead of mixing jars from two versions in one lib folder.
 */
async function installPaths(cacheDir: string): Promise<InstallPaths> {
  const hash = createHash('sha256');
  for (const file of [POM, LAUNCHER_SOURCE]) {
    hash.update(await readFile(file));
  }
  const root = join(
    cacheDir,
    'opensearch',
    `${OPENSEARCH_VERSION}-${hash.digest('hex').slice(0, 12)}`,
  );
  return {
    root,
    lib: join(root, 'lib'),
    classes: join(root, 'classes'),
    marker: join(root, 'installed'),
  };
}

/** The JDK to use: SLUICE_OPENSEARCH_JAVA_HOME, then JAVA_HOME, then whatever is on PATH. */
function javaTool(tool: 'java' | 'javac'): string {
  const home = process.env.SLUICE_OPENSEARCH_JAVA_HOME ?? process.env.JAVA_HOME;
  return home ? join(home, 'bin', tool) : tool;
}

/**
 * Runs a tool to completion, handing each output line to `onLine`. On failure the error carries
 * the last lines of output, since Maven and javac explain themselves there.
 */
function run(
  command: string,
  args: readonly string[],
  onLine: (line: string) => void = () => {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const collect = (line: string): void => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      onLine(line);
    };
    createInterface({ input: child.stdout }).on('line', collect);
    createInterface({ input: child.stderr }).on('line', collect);
    child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} exited with ${code}:\n${tail.join('\n')}`));
    });
  });
}

/** Major version of the JDK that will run the node, read from `java -version`. */
async function javaMajorVersion(): Promise<number> {
  let text = '';
  await run(javaTool('java'), ['-version'], (line) => {
    text += `${line}\n`;
  });
  const match = /version "(\d+)/.exec(text);
  if (!match?.[1]) throw new Error(`cannot read the Java version from:\n${text}`);
  return Number(match[1]);
}

async function install(ctx: ServiceContext): Promise<void> {
  const paths = await installPaths(ctx.cacheDir);
  if (existsSync(paths.marker)) return;

  const major = await javaMajorVersion();
  if (major < 11)
    throw new Error(`OpenSearch ${OPENSEARCH_VERSION} needs Java 11+, found ${major}`);

  ctx.progress(`OpenSearch ${OPENSEARCH_VERSION}: fetching jars from Maven Central (about 70 MB)`);
  // Fill a scratch folder and rename it at the end, so an interrupted fetch never looks complete.
  const scratch = `${paths.root}.partial-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  let downloaded = 0;
  await run(
    'mvn',
    [
      '-B',
      '-f',
      POM,
      // Maven's own download cache lives in the Sluice cache too, not in ~/.m2.
      `-Dmaven.repo.local=${join(ctx.cacheDir, 'maven-repository')}`,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${join(scratch, 'lib')}`,
    ],
    (line) => {
      if (line.includes('Downloaded from')) {
        downloaded += 1;
        if (downloaded % 100 === 0) ctx.progress(`OpenSearch: ${downloaded} files downloaded`);
      }
    },
  );

  ctx.progress(`OpenSearch: compiling ${LAUNCHER_CLASS}.java`);
  await run(javaTool('javac'), [
    '-d',
    join(scratch, 'classes'),
    '-cp',
    `${join(scratch, 'lib')}/*`,
    LAUNCHER_SOURCE,
  ]);
  await writeFile(join(scratch, 'installed'), `${new Date().toISOString()}\n`);
  await rm(paths.root, { recursive: true, force: true });
  await rename(scratch, paths.root);
  ctx.progress(`OpenSearch: installed in ${paths.root}`);
}

async function start(ctx: ServiceContext): Promise<number> {
  const paths = await installPaths(ctx.cacheDir);
  if (!existsSync(paths.marker)) {
    throw new Error(`OpenSearch is not installed in ${paths.root}: run install first`);
  }
  // path.home is the state folder: its config/, data/ and logs/ stay out of the cache and the repo.
  const data = join(ctx.stateDir, 'data');
  const logs = join(ctx.stateDir, 'logs');
  const tmp = join(ctx.stateDir, 'tmp');
  for (const dir of [join(ctx.stateDir, 'config'), data, logs, tmp]) {
    await mkdir(dir, { recursive: true });
  }

  // The COMPAT locale provider (date formats of the 2.x line) was removed in Java 23.
  const localeProviders = (await javaMajorVersion()) >= 23 ? 'SPI,CLDR' : 'SPI,COMPAT';
  const jvmOptions = [
    `-Xms${HEAP}`,
    `-Xmx${HEAP}`,
    '-XX:+UseG1GC',
    '-XX:+ExitOnOutOfMemoryError',
    `-XX:ErrorFile=${join(logs, 'hs_err_pid%p.log')}`,
    '-Djava.awt.headless=true',
    '-Dfile.encoding=UTF-8',
    `-Djava.io.tmpdir=${tmp}`,
    `-Djava.locale.providers=${localeProviders}`,
    // As the distribution's jvm.options: our own config, and let the node log while it closes.
    `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`,
    '-Dlog4j.shutdownHookEnabled=false',
    '-Dlog4j2.disable.jmx=true',
    '-Dio.netty.noUnsafe=true',
    '-Dio.netty.noKeySetOptimization=true',
    '-Dio.netty.recycler.maxCapacityPerThread=0',
  ];
  const nodeSettings = [
    `path.home=${ctx.stateDir}`,
    `path.data=${data}`,
    `path.logs=${logs}`,
    'cluster.name=sluice-local',
    'node.name=sluice-local',
    'discovery.type=single-node',
    'network.host=127.0.0.1',
    `http.port=${OPENSEARCH_HTTP_PORT}`,
    `transport.port=${OPENSEARCH_TRANSPORT_PORT}`,
    // Developer disks are often nearly full; the watermarks would block writes with 429s.
    'cluster.routing.allocation.disk.threshold_enabled=false',
  ];

  const log = openSync(ctx.logFile, 'a');
  try {
    const child = spawn(
      javaTool('java'),
      [...jvmOptions, '-cp', `${paths.classes}:${paths.lib}/*`, LAUNCHER_CLASS, ...nodeSettings],
      { cwd: ctx.stateDir, detached: true, stdio: ['ignore', log, log] },
    );
    child.unref();
    const { pid } = child;
    if (pid === undefined) throw new Error(`could not start ${javaTool('java')}`);
    return pid;
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(log);
  }
}

/** The shape of `/_cluster/health` this check reads. */
interface ClusterHealth {
  readonly status: string;
}

function isClusterHealth(value: unknown): value is ClusterHealth {
  return (
    typeof value === 'object' &&
    value !== null &&
    'status' in value &&
    typeof value.status === 'string'
  );
}

async function healthy(): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${OPENSEARCH_HTTP_PORT}/_cluster/health`, {
      signal: AbortSignal.timeout(2_000),
    });
    if (!response.ok) return false;
    const body: unknown = await response.json();
    // Yellow is healthy on one node: replicas can never be assigned there.
    return isClusterHealth(body) && (body.status === 'green' || body.status === 'yellow');
  } catch {
    // Refused or timed out: still starting (or stopped).
    return false;
  }
}

/**
 * A single OpenSearch 2.19 node on 127.0.0.1:9200, run without Docker from Maven Central jars
 * through a small launcher class (local/services/opensearch/SluiceOpenSearchNode.java) that
 * subclasses `org.opensearch.node.Node` with the Netty4, Painless, common-analysis and
 * mapper-extras plugins on the classpath. State (data, logs) lives under the service's state dir.
 */
export const opensearch: ServiceDefinition = {
  name: 'opensearch',
  ports: [OPENSEARCH_HTTP_PORT, OPENSEARCH_TRANSPORT_PORT],
  memoryLimitMiB: Number.parseInt(HEAP, 10) * (/g$/i.test(HEAP) ? 1024 : 1),
  install,
  start,
  healthy,
};
