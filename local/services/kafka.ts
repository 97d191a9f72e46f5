import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { runCommand } from '../../shared/run-command';
import { localEndpoints, localPorts } from './endpoints';
import { javaCommand, jvmFlags } from './java';
import { mavenCopyDependencies, mavenLibDir } from './maven';
import { serviceAsset } from './paths';
import { spawnDetached } from './processes';
import type { ServiceContext, ServiceDefinition } from './service';
import { renderTemplate } from './template';
import { answersWithin } from './wait';

// Kafka 4.x single node in KRaft mode (broker and controller in one JVM), from the jars
// that kafka/pom.xml lists; the version lives there.
const pom = serviceAsset('kafka', 'pom.xml');
const heapMiB = 512;

/** A KRaft cluster id: 16 random bytes in URL-safe base64, not starting with '-' (CLI-safe). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function java(ctx: ServiceContext, mainClass: string, args: string[]): Promise<string[]> {
  const lib = await mavenLibDir(ctx, 'kafka', pom);
  return [
    ...jvmFlags(heapMiB),
    `-Dlog4j2.configurationFile=${serviceAsset('kafka', 'log4j2.properties')}`,
    '-cp',
    join(lib, '*'),
    mainClass,
    ...args,
  ];
}

/** Writes server.properties and formats the data folder once (storage needs a cluster id). */
async function prepare(ctx: ServiceContext): Promise<string> {
  const dataDir = join(ctx.stateDir, 'data');
  const config = join(ctx.stateDir, 'server.properties');
  await mkdir(dataDir, { recursive: true });
  await renderTemplate(serviceAsset('kafka', 'server.properties'), config, {
    brokerPort: localPorts.kafka,
    controllerPort: localPorts.kafkaController,
    dataDir,
  });
  if (!existsSync(join(dataDir, 'meta.properties'))) {
    ctx.progress('formatting KRaft storage');
    const args = ['format', '--standalone', '-t', newClusterId(), '-c', config];
    await runCommand({
      command: javaCommand(),
      args: await java(ctx, 'kafka.tools.StorageTool', [...args, '--ignore-formatted']),
      cwd: ctx.stateDir,
      logFile: ctx.logFile,
    });
  }
  return config;
}

/**
 * Health: a real Metadata request through @platformatic/kafka (the client Sluice uses),
 * which must list at least one registered broker.
 */
async function metadataAnswers(): Promise<boolean> {
  const admin = new Admin({
    clientId: 'sluice-services-health',
    bootstrapBrokers: [...localEndpoints.kafkaBrokers],
    connectTimeout: 2_000,
    requestTimeout: 3_000,
    retries: 0,
  });
  try {
    const metadata = await admin.metadata({ topics: [] });
    return metadata.brokers.size > 0;
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/** Apache Kafka 4.x, single-node KRaft, PLAINTEXT on 127.0.0.1:9092. */
export const kafka: ServiceDefinition = {
  name: 'kafka',
  ports: [localPorts.kafka, localPorts.kafkaController],
  memoryLimitMiB: heapMiB,
  async install(ctx) {
    await mavenCopyDependencies(ctx, pom, await mavenLibDir(ctx, 'kafka', pom));
  },
  async start(ctx) {
    const config = await prepare(ctx);
    return spawnDetached({
      command: javaCommand(),
      args: await java(ctx, 'kafka.Kafka', [config]),
      cwd: ctx.stateDir,
      logFile: ctx.logFile,
    });
  },
  healthy: () => answersWithin(metadataAnswers, 4_000),
};
