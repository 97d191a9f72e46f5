import { describe, expect, it } from 'vitest';
import { type DevSnapshot, renderSummary } from '../../../../local/dev/summary';

const snapshot: DevSnapshot = {
  stage: 'dev',
  elapsedMs: 83_400,
  produced: { sent: 1500, total: 2000, invalid: 91 },
  topics: [
    { topic: 'catalog.events', committed: 400, end: 450, lag: 50 },
    { topic: 'orders.events', committed: 380, end: 380, lag: 0 },
  ],
  jobs: [
    {
      job: 'index-product',
      acknowledged: 398,
      failed: 2,
      visible: 5,
      inFlight: 7,
      deadLettered: 1,
    },
    { job: 'audit', acknowledged: 12345, failed: 0, visible: 0, inFlight: 0, deadLettered: 0 },
  ],
  ingestDlq: 91,
  replayQueue: 0,
  searchable: 180,
  commands: ['Peek: npm run sluice -- dlq show ingest-dlq'],
  notes: [],
};

describe('dev summary', () => {
  const text = renderSummary(snapshot);
  const lines = text.split('\n');

  it('totals consumption and lag from the broker offsets', () => {
    expect(text).toContain(
      'Events produced 1,500 / 2,000 (91 invalid by design) · consumed 780 · lag 50',
    );
    expect(text).toContain('01:23');
  });

  it('lays jobs out as a table with right-aligned counts', () => {
    const header = lines.find((l) => l.startsWith('JOB')) as string;
    const audit = lines.find((l) => l.startsWith('audit')) as string;
    const index = lines.find((l) => l.startsWith('index-product')) as string;
    expect(audit.indexOf('12,345') + '12,345'.length).toBe(
      header.indexOf('ACKED') + 'ACKED'.length,
    );
    expect(index.split(/\s+/)).toEqual(['index-product', '398', '2', '5', '7', '1']);
  });

  it('shows dead letters, searchable documents (or that they are unknown) and the commands', () => {
    expect(text).toContain(
      'Ingest DLQ 91 (replaying 0) · products searchable 180 · audit documents …',
    );
    expect(lines.at(-1)).toBe('Peek: npm run sluice -- dlq show ingest-dlq');
  });
});
