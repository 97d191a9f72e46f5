/**
 * The Kafka mapping after its client gives up on the broker (an outage longer than the
 * client's own retries): the connection opens new consumers with a growing delay until one
 * joins, nothing is lost or delivered twice after success, and a record fetched by the old
 * consumer is committed through the new one. The client is a fake here; the mapping against
 * the real broker is test/integration/local/event-sources/kafka-mapping.test.ts.
 */
import { EventEmitter } from 'node:events';
import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { recordsOf } from '../../../../functions/router/kafka-record';
import {
  type FetchedKafkaMessage,
  KafkaConnectionError,
  type KafkaConsumerLike,
  type KafkaStreamLike,
} from '../../../../local/event-sources/kafka-connection';
import { startKafkaMapping } from '../../../../local/event-sources/kafka-mapping';
import { resolveKafkaMapping } from '../../../../local/event-sources/mappings';
import { eventually } from '../../../support/eventually';

const TOPIC = 'catalog.events';

class FakeStream extends EventEmitter implements KafkaStreamLike {
  #paused = false;
  closed = false;
  pause() {
    this.#paused = true;
  }
  resume() {
    this.#paused = false;
  }
  isPaused() {
    return this.#paused;
  }
  async close() {
    this.closed = true;
  }
  /** Delivers records as the client would, each with a commit of its own. */
  fetch(offsets: number[], commits: bigint[]) {
    for (const offset of offsets) {
      const message: FetchedKafkaMessage = {
        topic: TOPIC,
        partition: 0,
        offset: BigInt(offset),
        timestamp: 1_764_000_000_000n,
        key: Buffer.from(`p-${offset}`),
        value: Buffer.from(JSON.stringify({ offset })),
        headers: new Map(),
        commit: () => {
          commits.push(BigInt(offset) + 1n);
        },
      };
      this.emit('data', message);
    }
  }
}

interface FakeConsumer extends KafkaConsumerLike {
  readonly stream: FakeStream;
  readonly commits: bigint[];
  closedWith: boolean | undefined;
}

/** Consumers in the order the mapping creates them; `down` ones fail to join. */
function fakeConsumers(plan: Array<'up' | 'down'>) {
  const created: FakeConsumer[] = [];
  const create = (): KafkaConsumerLike => {
    const state = plan[created.length] ?? 'up';
    const stream = new FakeStream();
    const consumer: FakeConsumer = {
      stream,
      commits: [],
      closedWith: undefined,
      consume: async () => {
        if (state === 'down') throw new Error('Connection refused (fake broker down)');
        return stream;
      },
      commit: async ({ offsets }) => {
        for (const { offset } of offsets) consumer.commits.push(offset);
      },
      close: async (force) => {
        consumer.closedWith = force ?? false;
      },
    };
    created.push(consumer);
    return consumer;
  };
  return { created, create };
}

/** A mapping whose handler does nothing: for tests of the connection alone. */
const idleMapping = () =>
  resolveKafkaMapping(
    {
      name: 'router:catalog',
      topic: TOPIC,
      consumerGroupId: 'sluice-test-router-catalog-events',
      bootstrapBrokers: ['127.0.0.1:1'],
      handler: vi.fn(async () => undefined),
    },
    'us-east-1',
  );

describe('Kafka mapping reconnection', () => {
  it('reconnects with backoff after the client gives up, and loses or repeats nothing', async () => {
    const { created, create } = fakeConsumers(['up', 'down', 'up']);
    const delivered: number[][] = [];
    let failNext = false;
    const errors: unknown[] = [];
    const mapping = resolveKafkaMapping(
      {
        name: 'router:catalog',
        topic: TOPIC,
        consumerGroupId: 'sluice-test-router-catalog-events',
        bootstrapBrokers: ['127.0.0.1:1'],
        handler: async (event: MSKEvent) => {
          const offsets = recordsOf(event).map((r) => r.offset);
          delivered.push(offsets);
          if (failNext) {
            failNext = false;
            throw new Error('handler failed once');
          }
        },
        batchSize: 10,
        maxBatchingWindowSeconds: 0,
        retryDelayMs: 300,
      },
      'us-east-1',
    );
    const running = await startKafkaMapping(
      mapping,
      { onError: (_mapping, error) => errors.push(error) },
      { createConsumer: create, reconnectDelayMs: { initial: 10, max: 40 } },
    );
    try {
      const first = created[0] as FakeConsumer;
      first.stream.fetch([0, 1, 2], first.commits);
      await eventually('offsets 0-2 committed', () =>
        first.commits.includes(3n) ? true : undefined,
      );

      // Offset 3 fails and waits for its retry; meanwhile the client gives up on the broker.
      failNext = true;
      first.stream.fetch([3], first.commits);
      await eventually('offset 3 delivered once', () =>
        delivered.some((batch) => batch.includes(3)) ? true : undefined,
      );
      first.stream.emit('close');

      // The next consumer cannot join (broker still down); the one after it can.
      const third = await eventually('a third consumer', () => created[2]);
      expect(first.closedWith).toBe(true);
      expect((created[1] as FakeConsumer).closedWith).toBe(true);
      // 3 was fetched by the first consumer, which is gone: its retry is committed through
      // the third consumer for the group.
      await eventually('offset 3 committed', () => (third.commits.includes(4n) ? true : undefined));
      // The third fetches again from the committed offset: 3 was delivered already, 4 is new.
      third.stream.fetch([3, 4], third.commits);
      await eventually('offset 4 committed', () => (third.commits.includes(5n) ? true : undefined));
    } finally {
      await running.stop();
    }

    const third = created[2] as FakeConsumer;
    expect(created).toHaveLength(3);
    // Every record succeeded once; 3 was delivered twice only because its first try failed.
    expect(delivered.flat()).toEqual([0, 1, 2, 3, 3, 4]);
    expect(third.commits).toEqual([4n, 5n]);
    expect(third.stream.closed).toBe(true);
    expect(errors.map(String)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('gave up on the broker; reconnecting'),
        expect.stringContaining('fake broker down'),
      ]),
    );
  });

  it('commits a batch that finished during the reconnection through the new consumer', async () => {
    const { created, create } = fakeConsumers(['up', 'down', 'up']);
    let release: () => void = () => {};
    const handlerDone = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    const mapping = resolveKafkaMapping(
      {
        name: 'router:catalog',
        topic: TOPIC,
        consumerGroupId: 'sluice-test-router-catalog-events',
        bootstrapBrokers: ['127.0.0.1:1'],
        handler: async () => {
          started = true;
          await handlerDone;
        },
        batchSize: 10,
        maxBatchingWindowSeconds: 0,
      },
      'us-east-1',
    );
    const running = await startKafkaMapping(
      mapping,
      {},
      { createConsumer: create, reconnectDelayMs: { initial: 30, max: 30 } },
    );
    try {
      const first = created[0] as FakeConsumer;
      first.stream.fetch([0, 1], first.commits);
      await eventually('the batch to start', () => (started ? true : undefined));
      // The client gives up while the batch runs; the batch ends before a consumer rejoins.
      first.stream.emit('close');
      release();
      const third = await eventually('a third consumer', () => created[2]);
      await eventually('offset 1 committed', () => (third.commits.includes(2n) ? true : undefined));
      expect(first.commits).toEqual([]);
    } finally {
      await running.stop();
    }
  });

  it('does not reconnect when the mapping itself stops', async () => {
    const { created, create } = fakeConsumers(['up']);
    const running = await startKafkaMapping(
      idleMapping(),
      {},
      { createConsumer: create, reconnectDelayMs: { initial: 1, max: 1 } },
    );
    await running.stop();
    (created[0] as FakeConsumer).stream.emit('close');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(created).toHaveLength(1);
    expect((created[0] as FakeConsumer).closedWith).toBe(false);
  });

  describe('the first join', () => {
    it('is tried again with backoff while the group is not ready, naming group and brokers', async () => {
      // As after a crash: the dead consumer holds the group until its session times out.
      const { created, create } = fakeConsumers(['down', 'down', 'up']);
      const errors: unknown[] = [];
      const running = await startKafkaMapping(
        idleMapping(),
        { onError: (_mapping, error) => errors.push(error) },
        { createConsumer: create, reconnectDelayMs: { initial: 5, max: 20 } },
      );
      await running.stop();
      expect(created).toHaveLength(3);
      expect(created.slice(0, 2).map((c) => c.closedWith)).toEqual([true, true]);
      expect(errors).toHaveLength(2);
      for (const error of errors) {
        expect(error).toBeInstanceOf(KafkaConnectionError);
        expect((error as Error).message).toMatch(
          /consumer group "sluice-test-router-catalog-events" \(topic catalog.events, brokers 127.0.0.1:1\) could not join yet.*fake broker down/,
        );
      }
    });

    it('gives up after firstJoinTimeoutMs with an error that says where', async () => {
      const { create } = fakeConsumers(['down', 'down', 'down', 'down', 'down', 'down']);
      const started = startKafkaMapping(
        idleMapping(),
        {},
        {
          createConsumer: create,
          reconnectDelayMs: { initial: 5, max: 5 },
          firstJoinTimeoutMs: 12,
        },
      );
      const error = await started.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(KafkaConnectionError);
      expect((error as Error).message).toMatch(
        /"sluice-test-router-catalog-events" .*brokers 127.0.0.1:1\) could not join within 12 ms: Error: Connection refused/,
      );
      expect((error as Error).cause).toBeInstanceOf(Error);
    });
  });
});
