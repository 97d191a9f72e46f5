/**
 * Where the natively started local services listen, and how to point the AWS SDK at them.
 * Tests read the standard AWS variables (AWS_ENDPOINT_URL_SQS, ...), so the same tests run
 * against these services, LocalStack or a real account.
 */

/** TCP ports of the local services (loopback only). */
export const localPorts = {
  kafka: 9092,
  /** KRaft controller listener; used by the broker itself, not by clients. */
  kafkaController: 9093,
  sqs: 9324,
  moto: 5000,
  opensearch: 9200,
  /** LocalStack's gateway (opt-in: `npm run services -- up localstack`). */
  localstack: 4566,
  /** LocalStack's gateway on the HTTPS port, for CloudFormation custom resource responses. */
  localstackHttps: 443,
} as const;

/** The local services' endpoints, in the form each client takes. */
export const localEndpoints = {
  kafkaBrokers: [`127.0.0.1:${localPorts.kafka}`],
  sqs: `http://127.0.0.1:${localPorts.sqs}`,
  dynamodb: `http://127.0.0.1:${localPorts.moto}`,
  s3: `http://127.0.0.1:${localPorts.moto}`,
  opensearch: `http://127.0.0.1:${localPorts.opensearch}`,
  localstack: `http://127.0.0.1:${localPorts.localstack}`,
} as const;

/**
 * The largest SQS message body ElasticMQ 1.7.1 (sqs-limits = strict) accepts: 1,048,576,
 * the same figure as SQS since Aug 2025. Measured by sending growing bodies: 1,048,576 'a's
 * pass, 1,048,577 fail with MessageTooLong. Unlike SQS, ElasticMQ counts UTF-16 code units
 * (JavaScript string length) rather than UTF-8 bytes, and leaves message attributes out of
 * the count, so it accepts some messages SQS would reject; the router must measure bytes
 * itself. A SendMessageBatch whose bodies add up to more than this is rejected, as on SQS.
 */
export const localSqsMaxMessageBytes = 1_048_576;

/** Sluice's own variables for the non-AWS endpoints (no SDK reads these by itself). */
export const kafkaBrokersVariable = 'SLUICE_KAFKA_BROKERS';
export const opensearchUrlVariable = 'SLUICE_OPENSEARCH_URL';

/**
 * Fills in the variables that point the AWS SDK (and Sluice's Kafka and OpenSearch clients)
 * at the local services, leaving alone every variable already set, so a user can point
 * tests at LocalStack or AWS instead. Does nothing when SLUICE_SERVICES=external: then the
 * environment is entirely the user's. A global AWS_ENDPOINT_URL (as cdklocal sets) wins
 * over the per-service local endpoints, so none are added beside it.
 *
 * @param env the environment to complete; `process.env` by default
 * @returns the same object, for chaining
 */
export function applyLocalServiceEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env.SLUICE_SERVICES === 'external') return env;
  const defaults: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    // Dummy credentials: the local services accept any; the SDK refuses to sign without.
    AWS_ACCESS_KEY_ID: 'sluice-local',
    AWS_SECRET_ACCESS_KEY: 'sluice-local',
    [kafkaBrokersVariable]: localEndpoints.kafkaBrokers.join(','),
    [opensearchUrlVariable]: localEndpoints.opensearch,
  };
  if (env.AWS_ENDPOINT_URL === undefined) {
    defaults.AWS_ENDPOINT_URL_SQS = localEndpoints.sqs;
    defaults.AWS_ENDPOINT_URL_DYNAMODB = localEndpoints.dynamodb;
    defaults.AWS_ENDPOINT_URL_S3 = localEndpoints.s3;
  }
  for (const [name, value] of Object.entries(defaults)) {
    if (env[name] === undefined || env[name] === '') env[name] = value;
  }
  return env;
}
