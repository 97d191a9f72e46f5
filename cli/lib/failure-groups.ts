/**
 * Groups dead letters by fingerprint, with counts, first and last failure, the event types
 * and reasons involved, and one sample. Pure: entries in, groups out.
 */
import { type DlqEntry, subjectOf } from './dlq-entry';
import type { Fingerprint } from './fingerprint';

export interface FailureSample {
  readonly messageId: string;
  /** Job id or Kafka coordinates, e.g. `orders.events/0/42`. */
  readonly subject: string;
  readonly reason?: string;
  readonly message: string;
  readonly eventType?: string;
  readonly eventId?: string;
}

export interface FailureGroup {
  readonly fingerprint: Fingerprint;
  readonly count: number;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly eventTypes: string[];
  readonly reasons: string[];
  /** Different error messages in the group (same class and place, other details). */
  readonly distinctMessages: number;
  readonly sample: FailureSample;
}

/**
 * @returns groups, largest first (ties: most recent failure first)
 * @example
 * ```ts
 * const groups = groupFailures(scan.entries);
 * groups[0]?.fingerprint.label; // 'RecordRejectedError:/data/lines/0/unitPrice@abc1234'
 * ```
 */
export function groupFailures(entries: readonly DlqEntry[]): FailureGroup[] {
  const byId = new Map<string, DlqEntry[]>();
  for (const entry of entries) {
    const list = byId.get(entry.fingerprint.id);
    if (list) list.push(entry);
    else byId.set(entry.fingerprint.id, [entry]);
  }
  const groups = [...byId.values()].map(groupOf);
  return groups.sort(
    (a, b) => b.count - a.count || (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''),
  );
}

function groupOf(entries: DlqEntry[]): FailureGroup {
  const first = entries[0] as DlqEntry;
  let firstSeen: string | undefined;
  let lastSeen: string | undefined;
  const eventTypes = new Set<string>();
  const reasons = new Set<string>();
  const messages = new Set<string>();
  for (const entry of entries) {
    const letter = entry.letter;
    const sent = entry.sentTimestamp > 0 ? new Date(entry.sentTimestamp).toISOString() : undefined;
    const from = letter?.firstFailedAt ?? sent;
    const to = letter?.lastFailedAt ?? sent;
    if (from && (!firstSeen || from < firstSeen)) firstSeen = from;
    if (to && (!lastSeen || to > lastSeen)) lastSeen = to;
    if (letter?.event?.type) eventTypes.add(letter.event.type);
    if (letter) reasons.add(String(letter.reason));
    messages.add(letter?.error.message ?? entry.body.slice(0, 200));
  }
  return {
    fingerprint: first.fingerprint,
    count: entries.length,
    ...(firstSeen ? { firstSeen } : {}),
    ...(lastSeen ? { lastSeen } : {}),
    eventTypes: [...eventTypes].sort(),
    reasons: [...reasons].sort(),
    distinctMessages: messages.size,
    sample: sampleOf(first),
  };
}

function sampleOf(entry: DlqEntry): FailureSample {
  const letter = entry.letter;
  return {
    messageId: entry.messageId,
    subject: subjectOf(entry),
    ...(letter ? { reason: String(letter.reason) } : {}),
    message: letter?.error.message ?? `not a dead letter: ${entry.body.slice(0, 200)}`,
    ...(letter?.event?.type ? { eventType: letter.event.type } : {}),
    ...(letter?.event?.id ? { eventId: letter.event.id } : {}),
  };
}
