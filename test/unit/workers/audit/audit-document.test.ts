import { describe, expect, it } from 'vitest';
import { auditDocument } from '../../../../functions/workers/audit/audit-document';
import { jobMessage } from '../../../support/job-runtime-fakes';

describe('auditDocument', () => {
  it('indexes the envelope, keeps provenance and the whole event', () => {
    const message = jobMessage('audit', 3);
    expect(auditDocument(message, '2026-11-28T10:00:00.000Z')).toEqual({
      eventId: 'evt-3',
      source: 'urn:shop:test',
      type: 'PRODUCT_PUBLISHED',
      time: '2026-11-28T09:30:00Z',
      dataversion: 1,
      jobId: message.jobId,
      provenance: message.provenance,
      enqueuedAt: message.enqueuedAt,
      routerVersion: 'test',
      recordedAt: '2026-11-28T10:00:00.000Z',
      event: message.event,
    });
  });

  it('keeps a subject when the event has one and leaves out odd types', () => {
    const message = {
      ...jobMessage('audit', 1),
      event: { id: 'e', source: 's', type: 'T', time: 't', subject: 'order-9', dataversion: '2' },
    };
    const document = auditDocument(message, 'now');
    expect(document.subject).toBe('order-9');
    expect('dataversion' in document).toBe(false);
  });
});
