/**
 * The OpenSearch client from configuration: mode and region rules, and requests signed with
 * SigV4 for the right service (checked on a local HTTP server that records what it gets).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkWrite } from '../../../../functions/targets/opensearch/bulk';
import {
  createOpenSearchClient,
  readOpenSearchConfig,
} from '../../../../functions/targets/opensearch/client';

const received: IncomingHttpHeaders[] = [];
const paths: string[] = [];
const server = createServer((request, response) => {
  received.push(request.headers);
  paths.push(request.url ?? '');
  request.resume();
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{"cluster_name":"fake"}');
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('readOpenSearchConfig', () => {
  it('signs for a managed domain by default on https and not at all on http', () => {
    expect(
      readOpenSearchConfig({
        SLUICE_OPENSEARCH_URL: 'https://search-x.es.amazonaws.com',
        AWS_REGION: 'eu-west-1',
      }),
    ).toEqual({ url: 'https://search-x.es.amazonaws.com', mode: 'es', region: 'eu-west-1' });
    expect(readOpenSearchConfig({ SLUICE_OPENSEARCH_URL: 'http://127.0.0.1:9200' })).toEqual({
      url: 'http://127.0.0.1:9200',
      mode: 'none',
      region: undefined,
    });
  });

  it('refuses an unknown mode and a signed mode without a region', () => {
    expect(() =>
      readOpenSearchConfig({ SLUICE_OPENSEARCH_URL: 'https://x', SLUICE_OPENSEARCH_MODE: 'basic' }),
    ).toThrow('must be es, aoss or none');
    expect(() =>
      readOpenSearchConfig({ SLUICE_OPENSEARCH_URL: 'https://x', SLUICE_OPENSEARCH_MODE: 'aoss' }),
    ).toThrow('AWS_REGION');
  });
});

describe('createOpenSearchClient', () => {
  it.each(['es', 'aoss'] as const)(
    'signs every request with SigV4 for service %s',
    async (mode) => {
      received.length = 0;
      const client = createOpenSearchClient({ url, mode, region: 'eu-west-1' });
      await client.info();
      await client.close();
      expect(received).toHaveLength(1);
      expect(received[0]?.authorization).toMatch(
        new RegExp(
          `^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\\d{8}/eu-west-1/${mode}/aws4_request`,
        ),
      );
    },
  );

  it('sends plain requests locally', async () => {
    received.length = 0;
    const client = createOpenSearchClient({ url, mode: 'none' });
    await client.info();
    await client.close();
    expect(received[0]?.authorization).toBeUndefined();
  });

  it.each([
    ['none', true],
    ['es', true],
    ['aoss', false],
  ] as const)(
    'asks a %s node for bulk responses of statuses and errors only: %s',
    async (mode, filtered) => {
      paths.length = 0;
      const client = createOpenSearchClient({ url, mode, region: 'eu-west-1' });
      await bulkWrite(client, [{ operation: 'index', index: 'a', id: '1', document: {} }], {
        maxBytes: 1_000,
      });
      await client.close();
      const query = new URL(paths[0] ?? '', url).searchParams;
      expect(query.get('filter_path')).toBe(filtered ? 'items.*.status,items.*.error' : null);
    },
  );
});
