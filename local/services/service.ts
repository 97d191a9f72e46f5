/**
 * The contract every natively started local service implements (Kafka, OpenSearch,
 * ElasticMQ, moto). The services CLI drives these: install (idempotent, cached outside
 * the repository), start (detached, logging to a file, pid recorded), health check, stop.
 */
export interface ServiceContext {
  /** Download cache shared across checkouts, e.g. ~/.cache/sluice. Never inside the repo. */
  readonly cacheDir: string;
  /** This service's runtime folder (data, pid file, log file), e.g. <repo>/.services/kafka. */
  readonly stateDir: string;
  /** Where the service's stdout/stderr go. */
  readonly logFile: string;
  /** Progress lines for a person watching a first (slow) run. */
  readonly progress: (message: string) => void;
}

export interface ServiceDefinition {
  /** Short name used on the command line: `npm run services -- up kafka`. */
  readonly name: string;
  /** TCP ports the service listens on; checked before start so a taken port fails fast. */
  readonly ports: readonly number[];
  /**
   * The memory ceiling the service is started with, enforced: a JVM's heap (-Xmx; it exits on
   * OutOfMemoryError, see java.ts), moto's address space (a request past it fails).
   * Undefined for LocalStack: its Lambda environments are Node.js processes it forks, which
   * inherit an address-space limit and reserve far more address space than they use.
   */
  readonly memoryLimitMiB?: number;
  /**
   * Started only when named (`npm run services -- up localstack`), never by a bare `up` or
   * the tests' global setup; `down` and `status` include it.
   */
  readonly optIn?: boolean;
  /** Fetches what the service needs into the cache; a no-op when the cache is warm. */
  install(ctx: ServiceContext): Promise<void>;
  /** Starts the service detached from this process and returns its pid. */
  start(ctx: ServiceContext): Promise<number>;
  /** Resolves true once the service answers its real protocol. */
  healthy(ctx: ServiceContext): Promise<boolean>;
}
