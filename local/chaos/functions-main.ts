/**
 * A functions' process of the chaos suite: deployed handler modules under the local
 * event-source emulation for one stage, in a process of its own so a scenario can kill it
 * mid-batch and start it again, as Lambda loses execution environments. `--role router` runs
 * the router's Kafka mappings and the replay queue's mapping; `--role workers` runs the job
 * queues' mappings (in Lambda, too, they are separate functions).
 *
 * Usage: tsx local/chaos/functions-main.ts --stage S --topic-prefix P --role router|workers
 * The functions' JSON log lines and the emulation's errors go to stdout and stderr, which the
 * runner sends to a file. SIGTERM drains: in-flight batches finish, offsets are committed.
 */
import { parseArgs } from 'node:util';
import { pipelineEnvironment } from '../dev/environment';
import { importHandlers } from '../dev/handlers';
import { startEventSources } from '../event-sources/event-sources';
import { stageMappings } from '../event-sources/stage-mappings';
import { provisionStage } from '../provision/stage';
import { applyLocalServiceEnv, localEndpoints } from '../services/endpoints';
import { FUNCTION_ROLES, type FunctionRole, prefixedTopic, READY_LINE } from './functions-process';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' },
      'topic-prefix': { type: 'string' },
      role: { type: 'string' },
    },
  });
  const { stage: stageName, 'topic-prefix': prefix, role } = values;
  if (!stageName || !prefix || !FUNCTION_ROLES.includes(role as FunctionRole)) {
    throw new Error(`usage: --stage S --topic-prefix P --role ${FUNCTION_ROLES.join('|')}`);
  }
  applyLocalServiceEnv();
  const stage = await provisionStage(stageName);
  Object.assign(process.env, pipelineEnvironment(stage, { logLevel: 'INFO' }));
  const handlers = await importHandlers();
  const mappings = stageMappings({
    stage: stageName,
    queueUrls: stage.queueUrls,
    bootstrapBrokers: localEndpoints.kafkaBrokers,
    topicName: prefixedTopic(prefix),
    handlers: { router: handlers.router, replay: handlers.replay, jobs: handlers.workers },
    pollWaitSeconds: 1,
  });
  const log = (entry: Record<string, unknown>) =>
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  const router = role === 'router';
  const eventSources = await startEventSources({
    kafka: router ? mappings.kafka : [],
    sqs: mappings.sqs.filter((m) => (m.name === 'replay') === router),
    onError: (mapping, error) =>
      log({ level: 'ERROR', source: 'event-sources', mapping, error: String(error) }),
    onInvoke: (report) => {
      if (report.outcome === 'succeeded') return;
      log({
        level: 'WARN',
        source: 'event-sources',
        mapping: report.mapping,
        outcome: report.outcome,
        records: report.records,
        failedItems: report.failedItems,
        error: report.error === undefined ? undefined : String(report.error),
      });
    },
  });
  process.stdout.write(`${READY_LINE}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await eventSources.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `functions process failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
