/**
 * Two failure groups of ingest dead letters for the group-redrive tests, and reading them
 * back: LOGIN_FAILED at a version the code does not know yet (the group that moves), and
 * records that are not JSON (a group that stays).
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { DlqShowReport } from '../../../cli/commands/dlq-show';
import type { DeadLetter } from '../../../functions/queues/dead-letter';
import { mskRecord, structuredRecord } from '../../support/msk';
import { loginFailed } from '../../support/sample-events';
import { sluice } from './support';

/** LOGIN_FAILED at version 2, which this code does not know yet: one failure group. */
export const unknownVersion = (n: number) =>
  structuredRecord({ ...loginFailed(n), dataversion: 2 }, { topic: 'identity.events', offset: n });

/** Not JSON: another group. */
export const notJson = (n: number) =>
  mskRecord({ topic: 'catalog.events', offset: n, value: `oops ${n}` });

/** The id of the ingest DLQ's failure group whose error is at `errorWhere`, as `dlq show` reports it. */
export async function groupOf(stage: string, errorWhere: string): Promise<string> {
  const shown = await sluice(stage, ['dlq', 'show', 'ingest-dlq', '--json']);
  const report = JSON.parse(shown.stdout) as DlqShowReport;
  const group = report.groups.find((g) => g.fingerprint.where === errorWhere);
  return group?.fingerprint.id ?? '';
}

/** A dead letter's record as `topic/partition/offset`. */
export const coordinates = (letter: DeadLetter) =>
  `${letter.record?.topic}/${letter.record?.partition}/${letter.record?.offset}`;

/** The dead letters in received messages. */
export const letters = (messages: readonly Message[]) =>
  messages.map((m) => JSON.parse(m.Body ?? '') as DeadLetter);
