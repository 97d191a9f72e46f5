/**
 * The chaos scenarios: one fault each, injected while the pipeline is busy. `inject` returns
 * once the fault is over (the service is back, the process restarted); the runner then
 * measures how long the pipeline takes to settle.
 */
import { crashAndRestart, freeze, restart, sleep } from './faults';
import type { FunctionsProcess } from './functions-process';

export interface ScenarioContext {
  readonly router: FunctionsProcess;
  readonly workers: FunctionsProcess;
  readonly say: (line: string) => void;
}

export interface ChaosScenario {
  readonly name: string;
  readonly description: string;
  /**
   * The shop stops publishing while the fault lasts (the broker itself is down): half the
   * events before, half after. Otherwise it publishes throughout and the fault strikes a
   * third of the way in, with batches in flight.
   */
  readonly publishingPauses?: boolean;
  inject(context: ScenarioContext): Promise<void>;
}

/** How long a service stays down or frozen. */
const OUTAGE_MS = 20_000;

export const SCENARIOS: readonly ChaosScenario[] = [
  {
    name: 'opensearch-killed',
    description: `OpenSearch SIGKILLed, started again ${OUTAGE_MS / 1000} s later`,
    inject: () => crashAndRestart('opensearch', OUTAGE_MS),
  },
  {
    name: 'router-killed',
    description: 'router process SIGKILLed mid-batch, started again 5 s later',
    async inject({ router }) {
      await router.kill();
      await sleep(5_000);
      await router.start();
    },
  },
  {
    name: 'workers-killed',
    description:
      'job workers SIGKILLed mid-batch, started again 5 s later (their batches come back after the visibility timeout)',
    async inject({ workers }) {
      await workers.kill();
      await sleep(5_000);
      await workers.start();
    },
  },
  {
    name: 'dynamodb-paused',
    description: `DynamoDB (moto) frozen with SIGSTOP for ${OUTAGE_MS / 1000} s`,
    inject: () => freeze('moto', OUTAGE_MS),
  },
  {
    name: 'kafka-restarted',
    description: 'Kafka broker SIGKILLed, started again 10 s later',
    publishingPauses: true,
    inject: () => crashAndRestart('kafka', 10_000),
  },
  {
    name: 'sqs-restarted',
    description: 'SQS (ElasticMQ) restarted cleanly, down 5 s (queues and messages persist)',
    inject: () => restart('sqs', 5_000),
  },
];

/** The scenarios `npm test` runs (the others are in `npm run chaos`). */
export const TEST_SCENARIOS = ['opensearch-killed', 'router-killed'] as const;
