/**
 * Run inside a repository copy with a scaffolded job (by scaffolded-job.test.ts, under tsx):
 * `tsx test/integration/local/scaffold/run-scaffolded-job.ts <stage> <job>`. Provisions the stage
 * from the copy's topology, routes a sample event of each of the job's types through the
 * router's handler, runs the job's queue under the local event-source runtime until its
 * jobs are settled, and prints one JSON line: `{ routed, records, succeeded, failedItems,
 * errors, dlq }`. The stage is removed by the test run's teardown.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { EVENT_TYPES, type EventType } from '../../../../functions/events/registry';
import { type JobName, jobQueues, TOPICS } from '../../../../functions/topology/topology';
import { JOBS } from '../../../../functions/workers/jobs';
import { pipelineEnvironment } from '../../../../local/dev/environment';
import { importWorker } from '../../../../local/dev/handlers';
import { startEventSources } from '../../../../local/event-sources/event-sources';
import { jobMapping } from '../../../../local/event-sources/stage-mappings';
import { provisionStage } from '../../../../local/provision/stage';
import { queueDepth } from '../../../../local/shared/queue-counts';
import { mskEvent, structuredRecord } from '../../../support/msk';
import { sampleOfType } from '../../../support/sample-events';

const [stage, name] = process.argv.slice(2);
if (!stage || !name) throw new Error('usage: run-scaffolded-job.ts <stage> <job>');
const job = name as JobName;
const definition = JOBS[job];
if (!definition) throw new Error(`No job "${name}" in this copy's functions/workers/jobs.ts`);

const provisioned = await provisionStage(stage, { indexes: false });
Object.assign(process.env, pipelineEnvironment(provisioned));
const router = (await import('../../../../functions/router/handler')).handler;
const worker = await importWorker(job);

// One sample of each type the job takes, through the router as MSK delivers them.
const types = definition.eventTypes.filter((type): type is EventType => type !== '*');
const topicOf = (type: EventType) => {
  const topic = EVENT_TYPES.find((t) => t.type === type)?.topic;
  if (!topic) throw new Error(`${type} is not registered`);
  return TOPICS[topic].name;
};
const records = types.map((type, offset) =>
  structuredRecord(sampleOfType(type, offset), { topic: topicOf(type), offset }),
);
await router(mskEvent(records));

const url = (queue: string) => {
  const found = provisioned.queueUrls.get(queue);
  if (!found) throw new Error(`queue ${queue} was not provisioned`);
  return found;
};
const queues = jobQueues(job);
const eventSources = await startEventSources({
  sqs: [{ ...jobMapping(definition, url(queues.queue), worker), pollWaitSeconds: 1 }],
});
const sqs = new SQSClient({});
const deadline = Date.now() + 60_000;
while (Date.now() < deadline && (await queueDepth(sqs, url(queues.queue))) > 0) {
  await new Promise((resolve) => setTimeout(resolve, 500));
}
const [stats] = await eventSources.stop();
const dlq = await queueDepth(sqs, url(queues.dlq));
sqs.destroy();
// The handlers' clients keep sockets open: exit once the line is out.
process.stdout.write(
  `${JSON.stringify({
    routed: records.length,
    records: stats?.records ?? 0,
    succeeded: stats?.succeeded ?? 0,
    failedItems: stats?.failedItems ?? 0,
    errors: stats?.errors ?? 0,
    dlq,
  })}\n`,
  () => process.exit(0),
);
