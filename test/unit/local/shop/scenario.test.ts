import { describe, expect, it } from 'vitest';
import { EventParser } from '../../../../functions/events/parse-event';
import { decodeKafkaRecord } from '../../../../functions/router/kafka-record';
import { RecordRejectedError } from '../../../../functions/shared/errors';
import { buildScenario, type ShopRecord } from '../../../../local/shop/scenario';
import { mskRecord } from '../../../support/msk';

const parser = new EventParser();

/** What the router's decoder and parser make of a scenario record. */
function verdict(
  record: ShopRecord,
  offset: number,
): { ok: true; id: string } | { ok: false; reason: string } {
  try {
    const decoded = decodeKafkaRecord(
      mskRecord({
        topic: record.topic,
        offset,
        key: record.key,
        value: record.value,
        headers: Object.entries(record.headers),
      }),
    );
    const parsed = parser.parse(decoded.text, decoded.headers);
    return parsed.ok
      ? { ok: true, id: parsed.event.id }
      : { ok: false, reason: parsed.error.reason };
  } catch (error) {
    if (error instanceof RecordRejectedError) return { ok: false, reason: error.reason };
    throw error;
  }
}

describe('the simulated shop', () => {
  const scenario = buildScenario({ events: 3000, runId: 'unit' });

  it('labels every record as the router will judge it', () => {
    scenario.records.forEach((record, offset) => {
      const judged = verdict(record, offset);
      if (record.invalid) expect(judged).toEqual({ ok: false, reason: record.invalid });
      else expect(judged).toEqual({ ok: true, id: record.event?.id });
    });
  });

  it('carries about the asked shares of invalid and duplicated records, of every kind', () => {
    const originals = scenario.records.filter((r) => !r.duplicate);
    expect(originals).toHaveLength(3000);
    const invalid = originals.filter((r) => r.invalid).length / 3000;
    expect(invalid).toBeGreaterThan(0.04);
    expect(invalid).toBeLessThan(0.08);
    const duplicates = scenario.records.length - 3000;
    expect(duplicates).toBeGreaterThan(3000 * 0.015);
    expect(new Set(originals.map((r) => r.invalid))).toEqual(
      new Set([
        undefined,
        'NOT_DECODABLE',
        'NOT_JSON',
        'SCHEMA_VIOLATION',
        'UNKNOWN_TYPE',
        'UNKNOWN_VERSION',
      ]),
    );
  });

  it('gives each valid event a unique id and each duplicate the bytes of an earlier record', () => {
    const ids = scenario.records.filter((r) => r.event && !r.duplicate).map((r) => r.event?.id);
    expect(new Set(ids).size).toBe(ids.length);
    const seen = new Set<string>();
    for (const record of scenario.records) {
      const bytes = record.value.toString('base64');
      if (record.duplicate) expect(seen.has(bytes)).toBe(true);
      seen.add(bytes);
    }
  });

  it('references catalog rows whose final version is the highest version published', () => {
    const highest = new Map<string, number>();
    for (const record of scenario.records) {
      const data = record.event?.data as
        | { productId?: string; catalogVersion?: number }
        | undefined;
      if (record.event?.type.startsWith('PRODUCT_') && data?.productId && data.catalogVersion) {
        highest.set(
          data.productId,
          Math.max(highest.get(data.productId) ?? 0, data.catalogVersion),
        );
      }
    }
    expect(highest.size).toBe(scenario.catalog.size);
    for (const [productId, version] of highest) {
      expect(scenario.catalog.get(productId)?.version).toBe(version);
    }
  });

  it('is deterministic for a seed and differs between run ids', () => {
    const again = buildScenario({ events: 3000, runId: 'unit' });
    expect(again.records.map((r) => r.value.toString('base64'))).toEqual(
      scenario.records.map((r) => r.value.toString('base64')),
    );
    const other = buildScenario({ events: 10, runId: 'other' });
    expect(other.records[0]?.value.toString()).not.toBe(scenario.records[0]?.value.toString());
  });
});
