import { describe, expect, it } from 'vitest';
import { TransientError } from '../../../../functions/shared/errors';
import { ThrottledError } from '../../../../functions/shared/throttling';
import {
  type BulkWrite,
  bulkLines,
  bulkWrite,
  prepareBulkWrite,
} from '../../../../functions/targets/opensearch/bulk';
import { DocumentRejectedError } from '../../../../functions/targets/opensearch/errors';
import { fakeSearch, responseError } from '../../../support/fake-search';

const write = (id: string, extra: Partial<BulkWrite> = {}): BulkWrite => ({
  operation: 'index',
  index: 'sluice-t-products',
  id,
  version: 3,
  document: { productId: id, title: 'x'.repeat(100) },
  ...extra,
});

describe('bulkLines', () => {
  it('writes an external_gte action line and the document, newline-terminated', () => {
    expect(bulkLines(write('p-1', { document: { a: 1 } }))).toBe(
      '{"index":{"_index":"sluice-t-products","_id":"p-1","version":3,"version_type":"external_gte"}}\n{"a":1}\n',
    );
    expect(bulkLines({ operation: 'create', index: 'a', id: 'e"1', document: { b: 'é' } })).toBe(
      '{"create":{"_index":"a","_id":"e\\"1"}}\n{"b":"é"}\n',
    );
  });
});

describe('prepareBulkWrite', () => {
  it('keeps the write and adds its lines and their UTF-8 size', () => {
    const plain = write('p-é', { versionType: 'external' });
    const prepared = prepareBulkWrite(plain);
    expect(prepared).toMatchObject(plain);
    expect(prepared.lines).toBe(bulkLines(plain));
    expect(prepared.bytes).toBe(Buffer.byteLength(prepared.lines));
    expect(prepared.bytes).toBeGreaterThan(prepared.lines.length);
  });
});

describe('bulkWrite', () => {
  it('sends the lines a write was prepared with, and builds a copy of it afresh', async () => {
    const search = fakeSearch();
    const size = Buffer.byteLength(bulkLines(write('a')));
    const a = prepareBulkWrite(write('a', { document: { title: 'first' } }));
    // The prepared write's own lines are sent as built (its document object is not read
    // again); a spread copy with another document is not a prepared write any more.
    (a.document as { title: string }).title = 'changed in place';
    const c = { ...prepareBulkWrite(write('c')), document: { title: 'copied' } };
    const outcomes = await bulkWrite(search.client, [a, write('b'), c], { maxBytes: 2 * size });
    expect(search.requests.map((r) => r.items.map((i) => i.meta._id))).toEqual([['a', 'b'], ['c']]);
    expect(search.requests[0]?.items[0]?.document).toEqual({ title: 'first' });
    expect(search.requests[1]?.items[0]?.document).toEqual({ title: 'copied' });
    expect(outcomes.map((o) => o.kind)).toEqual(['written', 'written', 'written']);
  });

  it('sends one request with require_alias and answers per item, in order', async () => {
    const search = fakeSearch((item) =>
      item.meta._id === 'old'
        ? { status: 409, error: { type: 'version_conflict_engine_exception' } }
        : item.meta._id === 'bad'
          ? { status: 400, error: { type: 'mapper_parsing_exception' } }
          : { status: 201 },
    );
    const outcomes = await bulkWrite(search.client, [write('a'), write('old'), write('bad')], {
      maxBytes: 1_000_000,
    });
    expect(search.requests).toHaveLength(1);
    expect(search.requests[0]?.querystring).toEqual({
      require_alias: 'true',
      filter_path: 'items.*.status,items.*.error',
    });
    expect(outcomes.map((o) => o.kind)).toEqual(['written', 'stale', 'failed']);
    expect(outcomes[2]?.kind === 'failed' && outcomes[2].error).toBeInstanceOf(
      DocumentRejectedError,
    );
  });

  it('splits by bytes, never leaving a write out, even one larger than the limit', async () => {
    const search = fakeSearch();
    const size = Buffer.byteLength(bulkLines(write('a')));
    const writes = [
      write('a'),
      write('b'),
      write('c'),
      write('d', { document: { big: 'z'.repeat(5 * size) } }),
    ];
    const outcomes = await bulkWrite(search.client, writes, { maxBytes: 2 * size });
    expect(search.requests.map((r) => r.items.map((i) => i.meta._id))).toEqual([
      ['a', 'b'],
      ['c'],
      ['d'],
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['written', 'written', 'written', 'written']);
  });

  it('fails every item of a failed request and sends nothing more after a throttle', async () => {
    const search = fakeSearch(undefined, (n) =>
      n === 1 ? responseError(429, 'rejected_execution_exception') : undefined,
    );
    const size = Buffer.byteLength(bulkLines(write('a')));
    const outcomes = await bulkWrite(search.client, [write('a'), write('b'), write('c')], {
      maxBytes: 2 * size,
    });
    expect(search.requests).toHaveLength(1);
    const errors = outcomes.map((o) => (o.kind === 'failed' ? o.error : undefined));
    expect(errors[0]).toBeInstanceOf(ThrottledError);
    expect(errors[1]).toBe(errors[0]);
    expect(errors[2]).toBeInstanceOf(TransientError);
    expect(errors[2]).not.toBeInstanceOf(ThrottledError);
    expect(errors[2]?.message).toMatch(/^bulk write not sent: /);
  });

  it('passes refresh and the alias requirement through', async () => {
    const search = fakeSearch();
    await bulkWrite(search.client, [write('a')], {
      maxBytes: 1_000,
      refresh: 'wait_for',
      requireAlias: false,
    });
    expect(search.requests[0]?.querystring).toEqual({
      require_alias: 'false',
      refresh: 'wait_for',
      filter_path: 'items.*.status,items.*.error',
    });
  });
});
