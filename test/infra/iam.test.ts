import { beforeAll, describe, expect, it } from 'vitest';
import type { TableAccess } from '../../functions/jobs/job-definition';
import { aliasName } from '../../functions/targets/opensearch/indexes/spec';
import { type JobName, TABLES, type TableKey } from '../../functions/topology/topology';
import { JOB_NAMES, JOBS } from '../../functions/workers/jobs';
import { SECRET_LIKE_NAME } from '../../infra/config/checks';
import { INDEX_WRITE_ACTIONS, TABLE_ACTIONS } from '../../infra/constructs/grants';
import { runtimeTableAccess } from '../../infra/workers/job-worker';
import { resourcesOf, type SynthesizedStage, synthStage } from './support/synth';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
let stage: SynthesizedStage;

beforeAll(() => {
  stage = synthStage();
});

/** Every identity-policy statement in every stack, with the role it is attached to. */
function statements(): { roles: unknown; statement: Statement }[] {
  return Object.values(stage.stacks)
    .flatMap((stack) => Object.values(resourcesOf(stage.template(stack), 'AWS::IAM::Policy')))
    .flatMap((p) =>
      (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement.map((statement) => ({
        roles: p.Properties.Roles,
        statement,
      })),
    );
}

/** The statements of one worker's role. */
function workerStatements(job: JobName): Statement[] {
  const template = stage.template(stage.stacks.pipeline);
  const roles = Object.entries(resourcesOf(template, 'AWS::IAM::Role')).filter(([id]) =>
    id.startsWith(`Job${job.replace(/-/g, '')}Worker`),
  );
  expect(roles, job).toHaveLength(1);
  const roleId = roles[0]?.[0];
  return statements()
    .filter((s) => JSON.stringify(s.roles) === JSON.stringify([{ Ref: roleId }]))
    .map((s) => s.statement);
}

const actionsOf = (s: Statement) => ([] as string[]).concat(s.Action);
const tableOf = (s: Statement): string | undefined => {
  const text = JSON.stringify(s.Resource);
  return /:table\/(sluice-test-[a-z-]+?)"/.exec(text)?.[1];
};

describe('least privilege', () => {
  it('has no wildcard action in any identity policy', () => {
    for (const { statement } of statements()) {
      for (const action of actionsOf(statement)) {
        expect(action, JSON.stringify(statement)).not.toMatch(/\*/);
      }
    }
  });

  it.each(JOB_NAMES)(
    '%s: exactly the tables its definition declares, plus the job runtime’s',
    (job) => {
      const expected: Partial<Record<TableKey, TableAccess>> = {
        ...runtimeTableAccess(JOBS[job]),
        ...JOBS[job].access.tables,
      };
      const granted = new Map<string, string[]>();
      for (const s of workerStatements(job)) {
        const table = tableOf(s);
        if (table) granted.set(table, actionsOf(s));
      }
      expect(Object.fromEntries(granted)).toEqual(
        Object.fromEntries(
          Object.entries(expected).map(([key, access]) => [
            `sluice-test-${TABLES[key as TableKey].name}`,
            [...TABLE_ACTIONS[access as TableAccess]],
          ]),
        ),
      );
    },
  );

  it.each(JOB_NAMES)('%s: can make every DynamoDB call the job runtime makes', (job) => {
    // job-records.ts: GetItem, PutItem; idempotency-store.ts: GetItem, PutItem, DeleteItem.
    const granted = new Map<string, string[]>();
    for (const s of workerStatements(job)) {
      const table = tableOf(s);
      if (table) granted.set(table, actionsOf(s));
    }
    expect(granted.get('sluice-test-job-records')).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem']),
    );
    const idempotency = granted.get('sluice-test-idempotency');
    if (JOBS[job].settings.idempotency === 'store') {
      expect(idempotency).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']),
      );
    } else {
      expect(idempotency).toBeUndefined();
    }
  });

  it.each(JOB_NAMES)(
    '%s: writes only its own indexes, its own queues and claim-check prefix',
    (job) => {
      const all = workerStatements(job);
      const search = all.filter((s) => actionsOf(s).some((a) => a.startsWith('es:')));
      const indexes = JOBS[job].access.indexes ?? [];
      if (indexes.length === 0) {
        expect(search).toEqual([]);
      } else {
        expect(search).toHaveLength(1);
        expect(actionsOf(search[0] as Statement)).toEqual([...INDEX_WRITE_ACTIONS]);
        const text = JSON.stringify(search[0]?.Resource);
        for (const key of indexes) expect(text).toContain(`/${aliasName('test', key)}/*`);
        expect(text.match(/sluice-test-[a-z]+\/\*/g)).toHaveLength(indexes.length);
      }
      const s3 = all.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
      expect(s3.map((s) => actionsOf(s))).toEqual([['s3:PutObject', 's3:GetObject']]);
      expect(JSON.stringify(s3[0]?.Resource)).toContain(`/job/${job}/*`);
      // Its queue (snooze) and its DLQ (dead letters), nobody else's.
      const sendTargets = all
        .filter((s) => actionsOf(s).includes('sqs:SendMessage'))
        .flatMap((s) => ([] as unknown[]).concat(s.Resource))
        .map((r) => (r as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
      const prefix = `Job${job.replace(/-/g, '')}Queues`;
      expect(sendTargets.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(
        [`${prefix}DeadLetterQueue`, `${prefix}Queue`].sort(),
      );
    },
  );

  it('lets the router write ingest claim checks and keep its dead-letter ledger table only, and the replay function also read claim checks', () => {
    const template = stage.template(stage.stacks.pipeline);
    const roleId = (prefix: string) =>
      Object.keys(resourcesOf(template, 'AWS::IAM::Role')).find((id) => id.startsWith(prefix));
    const statementsOf = (prefix: string, service: string) =>
      statements()
        .filter((s) => JSON.stringify(s.roles) === JSON.stringify([{ Ref: roleId(prefix) }]))
        .map((s) => s.statement)
        .filter((s) => actionsOf(s).some((a) => a.startsWith(`${service}:`)));
    const s3For = (prefix: string) => statementsOf(prefix, 's3');
    const router = s3For('RouterRole');
    // Claim checks written, not read.
    expect(router.map(actionsOf)).toEqual([['s3:PutObject']]);
    expect(JSON.stringify(router[0]?.Resource)).toContain('/ingest/*');
    // The ledger's pages read and added to, in its own table only; replay keeps none.
    const ledger = statementsOf('RouterRole', 'dynamodb');
    expect(ledger.map(actionsOf)).toEqual([['dynamodb:BatchGetItem', 'dynamodb:UpdateItem']]);
    expect(JSON.stringify(ledger[0]?.Resource)).toContain(':table/sluice-test-ingest-ledger');
    expect(JSON.stringify(ledger[0]?.Resource)).not.toContain('*');
    expect(statementsOf('ReplayRole', 'dynamodb')).toEqual([]);
    expect(s3For('ReplayRole').map(actionsOf)).toEqual([['s3:PutObject', 's3:GetObject']]);
  });

  it('puts no secret-looking variable into any function’s environment', () => {
    for (const stack of Object.values(stage.stacks)) {
      for (const fn of Object.values(resourcesOf(stage.template(stack), 'AWS::Lambda::Function'))) {
        const variables =
          (fn.Properties.Environment as { Variables?: object } | undefined)?.Variables ?? {};
        for (const name of Object.keys(variables)) expect(name).not.toMatch(SECRET_LIKE_NAME);
      }
    }
  });

  it('uses no AWS managed policy on Sluice’s own roles', () => {
    const template = stage.template(stage.stacks.pipeline);
    for (const role of Object.values(resourcesOf(template, 'AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});
