/**
 * A Kafka mapping's consumer that comes back after a broker outage. The client rides out a
 * short outage by itself (about half a minute of retries); when it gives up, its stream
 * closes and this connection opens a new consumer in the same group, with a growing delay,
 * until the broker answers again — as an event source mapping keeps polling a cluster that
 * was away. The new consumer resumes from the group's committed offsets, so records fetched
 * but not yet committed come again; the mapping's buffer drops the ones it already holds or
 * delivered. Commits of records fetched by an earlier consumer go through the current one.
 *
 * The first join is retried the same way: after a crash of the process, the dead consumer
 * still holds the group until its session times out (10 s here, against the client's 60 s
 * default), and a restarted emulation must wait that out rather than give up. Every error
 * names the consumer group, the topic and the brokers.
 */
import { Consumer } from '@platformatic/kafka';
import type { ResolvedKafkaMapping } from './mappings';
import type { ConsumedKafkaMessage } from './msk-event';
import { pause } from './signals';

/** A record as the client delivers it: what the MSK event needs, plus its own commit. */
export interface FetchedKafkaMessage extends ConsumedKafkaMessage {
  /** Commits offset + 1 of its partition through the consumer that fetched it. */
  commit(): void | Promise<void>;
}

/** The part of a message stream the mapping uses. */
export interface KafkaStreamLike {
  on(event: 'data', listener: (message: FetchedKafkaMessage) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
  isPaused(): boolean;
  close(): Promise<void>;
}

/** The part of a consumer the mapping uses. */
export interface KafkaConsumerLike {
  consume(options: {
    topics: string[];
    mode: 'committed';
    fallbackMode: 'latest' | 'earliest';
    autocommit: false;
  }): Promise<KafkaStreamLike>;
  commit(options: {
    offsets: Array<{ topic: string; partition: number; offset: bigint; leaderEpoch: number }>;
  }): Promise<void>;
  close(force?: boolean): Promise<void>;
}

export type KafkaConsumerFactory = (mapping: ResolvedKafkaMapping) => KafkaConsumerLike;

/** The real client (@platformatic/kafka), as the emulation uses it. */
export const platformaticConsumer: KafkaConsumerFactory = (mapping) => {
  const consumer = new Consumer({
    groupId: mapping.consumerGroupId,
    clientId: `sluice-local-esm-${mapping.name}`,
    bootstrapBrokers: [...mapping.bootstrapBrokers],
    // Short fetch waits keep batching windows and stop() responsive.
    maxWaitTime: 200,
    // Ride out a broker restart of about half a minute; after that the connection reconnects.
    retries: 30,
    retryDelay: 1000,
    // A consumer of a killed process is dropped from the group after 10 s, not a minute, so
    // its successor joins soon (the broker's group.min.session.timeout.ms is 6 s).
    sessionTimeout: 10_000,
    rebalanceTimeout: 15_000,
    heartbeatInterval: 1_000,
  });
  return {
    consume: async (options) => (await consumer.consume(options)) as unknown as KafkaStreamLike,
    commit: (options) => consumer.commit(options),
    close: (force) => consumer.close(force),
  };
};

export interface KafkaConnectionOptions {
  readonly createConsumer?: KafkaConsumerFactory;
  /** First and largest wait between reconnection attempts; 1 s and 30 s. */
  readonly reconnectDelayMs?: { readonly initial: number; readonly max: number };
  /** How long the first join is tried before `open` gives up; 2 minutes. */
  readonly firstJoinTimeoutMs?: number;
  /** Each fetched record, with this connection (for backpressure). */
  readonly onMessage: (message: FetchedKafkaMessage, connection: KafkaConnection) => void;
  readonly onError: (error: unknown) => void;
  /** A new consumer took over after the previous one gave up. */
  readonly onReconnected?: () => void;
}

/** A Kafka consumer of a mapping failed; the message names its group, topic and brokers. */
export class KafkaConnectionError extends Error {
  override readonly name = 'KafkaConnectionError';
}

/**
 * @example
 * ```ts
 * const connection = await KafkaConnection.open(mapping, {
 *   onMessage: (m) => buffer.add(m, Date.now()),
 *   onError: (e) => console.error(e),
 * });
 * await connection.commit(processed);
 * await connection.close();
 * ```
 */
export class KafkaConnection {
  readonly #mapping: ResolvedKafkaMapping;
  readonly #options: KafkaConnectionOptions;
  readonly #createConsumer: KafkaConsumerFactory;
  readonly #closing = new AbortController();
  /** Which consumer fetched each message; commits of older ones go through the current one. */
  readonly #fetchedBy = new WeakMap<FetchedKafkaMessage, number>();
  #consumer!: KafkaConsumerLike;
  #stream!: KafkaStreamLike;
  #generation = 0;
  #paused = false;
  #reconnecting: Promise<void> | undefined;

  private constructor(mapping: ResolvedKafkaMapping, options: KafkaConnectionOptions) {
    this.#mapping = mapping;
    this.#options = options;
    this.#createConsumer = options.createConsumer ?? platformaticConsumer;
  }

  /**
   * Joins the group and starts fetching. A failed join is reported to `onError` and tried
   * again with the reconnection backoff; rejects with a {@link KafkaConnectionError} when
   * none succeeded within `firstJoinTimeoutMs`.
   */
  static async open(
    mapping: ResolvedKafkaMapping,
    options: KafkaConnectionOptions,
  ): Promise<KafkaConnection> {
    const connection = new KafkaConnection(mapping, options);
    await connection.#firstJoin();
    return connection;
  }

  /** Stops fetching (backpressure); kept across reconnections. */
  pause(): void {
    this.#paused = true;
    this.#stream.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#stream.resume();
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Commits, per message, offset + 1 of its partition; one settled result per message. */
  async commit(messages: readonly FetchedKafkaMessage[]): Promise<PromiseSettledResult<void>[]> {
    // During a reconnection the current consumer is the dead one: wait for its successor.
    if (this.#reconnecting) await this.#reconnecting;
    return Promise.allSettled(
      messages.map(async (message) => {
        if (this.#fetchedBy.get(message) === this.#generation) return message.commit();
        // Its consumer is gone; the current one commits for the group (epoch unknown: -1).
        const { topic, partition } = message;
        const offset = message.offset + 1n;
        return this.#consumer.commit({ offsets: [{ topic, partition, offset, leaderEpoch: -1 }] });
      }),
    );
  }

  /** Stops reconnecting and closes the stream and the consumer. */
  async close(): Promise<void> {
    this.#closing.abort();
    await this.#reconnecting;
    await this.#stream.close().catch((error: unknown) => this.#options.onError(error));
    await this.#consumer.close().catch((error: unknown) => this.#options.onError(error));
  }

  async #firstJoin(): Promise<void> {
    const deadline = Date.now() + (this.#options.firstJoinTimeoutMs ?? 120_000);
    let delay = this.#delays.initial;
    for (;;) {
      try {
        await this.#connect();
        return;
      } catch (error) {
        if (Date.now() + delay > deadline) {
          throw this.#error(
            `could not join within ${this.#options.firstJoinTimeoutMs ?? 120_000} ms`,
            error,
          );
        }
        this.#options.onError(
          this.#error(`could not join yet; trying again in ${delay} ms`, error),
        );
        await pause(delay, this.#closing.signal);
        delay = Math.min(delay * 2, this.#delays.max);
      }
    }
  }

  get #delays(): { readonly initial: number; readonly max: number } {
    return this.#options.reconnectDelayMs ?? { initial: 1_000, max: 30_000 };
  }

  /** An error that says which consumer failed, with the client's error as its cause. */
  #error(what: string, cause?: unknown): KafkaConnectionError {
    const { consumerGroupId, topic, bootstrapBrokers } = this.#mapping;
    const detail =
      cause === undefined
        ? ''
        : `: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`;
    return new KafkaConnectionError(
      `Kafka consumer group "${consumerGroupId}" (topic ${topic}, brokers ${bootstrapBrokers.join(',')}) ${what}${detail}`,
      { cause },
    );
  }

  async #connect(): Promise<void> {
    const consumer = this.#createConsumer(this.#mapping);
    let stream: KafkaStreamLike;
    try {
      stream = await consumer.consume({
        topics: [this.#mapping.topic],
        mode: 'committed',
        fallbackMode: this.#mapping.startingPosition === 'LATEST' ? 'latest' : 'earliest',
        autocommit: false,
      });
    } catch (error) {
      await consumer.close(true).catch(() => undefined);
      throw error;
    }
    const generation = ++this.#generation;
    this.#consumer = consumer;
    this.#stream = stream;
    if (this.#paused) stream.pause();
    stream.on('data', (message) => {
      this.#fetchedBy.set(message, generation);
      this.#options.onMessage(message, this);
    });
    stream.on('error', (error) => this.#options.onError(this.#error('failed', error)));
    stream.on('close', () => {
      if (this.#closing.signal.aborted || generation !== this.#generation) return;
      this.#options.onError(this.#error('gave up on the broker; reconnecting'));
      this.#reconnecting ??= this.#reconnect(consumer).finally(() => {
        this.#reconnecting = undefined;
      });
    });
  }

  async #reconnect(previous: KafkaConsumerLike): Promise<void> {
    await previous.close(true).catch(() => undefined);
    const { initial, max } = this.#delays;
    let delay = initial;
    while (!this.#closing.signal.aborted) {
      await pause(delay, this.#closing.signal);
      if (this.#closing.signal.aborted) return;
      try {
        await this.#connect();
        this.#options.onReconnected?.();
        return;
      } catch (error) {
        this.#options.onError(this.#error('could not reconnect yet', error));
        delay = Math.min(delay * 2, max);
      }
    }
  }
}
