import { join } from 'node:path';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localEndpoints, localPorts } from './endpoints';
import { javaCommand, jvmFlags } from './java';
import { mavenCopyDependencies, mavenLibDir } from './maven';
import { serviceAsset } from './paths';
import { spawnDetached } from './processes';
import type { ServiceDefinition } from './service';
import { renderTemplate } from './template';
import { answersWithin } from './wait';

// ElasticMQ, an SQS-compatible server (AWS JSON protocol, DLQs, message move tasks), from
// the jars that elasticmq/pom.xml lists; the version lives there.
const pom = serviceAsset('elasticmq', 'pom.xml');
const heapMiB = 256;

/** Health: a real ListQueues call with the AWS SDK, straight at the local endpoint. */
async function listQueuesAnswers(): Promise<boolean> {
  const sqs = new SQSClient({
    endpoint: localEndpoints.sqs,
    region: 'us-east-1',
    credentials: { accessKeyId: 'sluice-local', secretAccessKey: 'sluice-local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 3_000 },
  });
  try {
    await sqs.send(new ListQueuesCommand({}));
    return true;
  } finally {
    sqs.destroy();
  }
}

/** ElasticMQ 1.7.x as SQS on http://127.0.0.1:9324; queues and messages kept across restarts. */
export const sqs: ServiceDefinition = {
  name: 'sqs',
  ports: [localPorts.sqs],
  memoryLimitMiB: heapMiB,
  async install(ctx) {
    await mavenCopyDependencies(ctx, pom, await mavenLibDir(ctx, 'elasticmq', pom));
  },
  async start(ctx) {
    const config = join(ctx.stateDir, 'elasticmq.conf');
    await renderTemplate(serviceAsset('elasticmq', 'elasticmq.conf'), config, {
      host: '127.0.0.1',
      port: localPorts.sqs,
      stateDir: ctx.stateDir,
    });
    const lib = await mavenLibDir(ctx, 'elasticmq', pom);
    return spawnDetached({
      command: javaCommand(),
      args: [
        ...jvmFlags(heapMiB),
        `-Dconfig.file=${config}`,
        '-cp',
        join(lib, '*'),
        'org.elasticmq.server.Main',
      ],
      cwd: ctx.stateDir,
      logFile: ctx.logFile,
    });
  },
  healthy: () => answersWithin(listQueuesAnswers, 4_000),
};
