/**
 * A stand-in for the OpenSearch client's transport in unit tests of bulk logic: it parses
 * each ndjson bulk body and answers every item through `respond`, or fails the whole
 * request through `fail`. Integration tests use the real node.
 */
import { type Client, errors } from '@opensearch-project/opensearch';

export interface BulkItemRequest {
  readonly operation: 'index' | 'create';
  readonly meta: { _index: string; _id: string; version?: number; version_type?: string };
  readonly document: Record<string, unknown>;
}

export interface ItemAnswer {
  readonly status: number;
  readonly error?: { type: string; reason?: string };
}

export interface FakeSearch {
  readonly client: Client;
  /** Every bulk request: its query string and items. */
  readonly requests: Array<{ querystring: Record<string, string>; items: BulkItemRequest[] }>;
}

/** A ResponseError as the client throws it for a failed request. */
export function responseError(
  statusCode: number,
  type: string,
  headers: Record<string, string> = {},
): errors.ResponseError {
  return new errors.ResponseError({
    body: { error: { type, reason: `${type} (fake)` }, status: statusCode },
    statusCode,
    headers,
    meta: {} as never,
    warnings: null,
  });
}

export function fakeSearch(
  respond: (item: BulkItemRequest) => ItemAnswer = () => ({ status: 201 }),
  fail?: (requestNumber: number) => Error | undefined,
): FakeSearch {
  const requests: FakeSearch['requests'] = [];
  const request = async (params: {
    path: string;
    querystring?: Record<string, string>;
    bulkBody?: string;
  }) => {
    if (params.path !== '/_bulk') throw new Error(`fake search: unexpected ${params.path}`);
    const lines = (params.bulkBody ?? '').split('\n').filter((line) => line !== '');
    const items: BulkItemRequest[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i] as string) as Record<string, BulkItemRequest['meta']>;
      const operation = Object.keys(action)[0] as 'index' | 'create';
      items.push({
        operation,
        meta: action[operation] as BulkItemRequest['meta'],
        document: JSON.parse(lines[i + 1] as string) as Record<string, unknown>,
      });
    }
    requests.push({ querystring: params.querystring ?? {}, items });
    const failure = fail?.(requests.length);
    if (failure) throw failure;
    const answers = items.map((item) => {
      const answer = respond(item);
      return { [item.operation]: { _index: item.meta._index, _id: item.meta._id, ...answer } };
    });
    return { body: { errors: answers.length > 0, took: 1, items: answers }, statusCode: 200 };
  };
  return { client: { transport: { request } } as unknown as Client, requests };
}
