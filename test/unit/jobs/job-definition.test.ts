import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../functions/events/registry';
import {
  DEFAULT_JOB_SETTINGS,
  InvalidJobDefinitionError,
  jobDefinition,
  SQS_MAX_VISIBILITY_SECONDS,
} from '../../../functions/jobs/job-definition';
import { jobRegistry } from '../../../functions/jobs/job-registry';
import { queueTopology } from '../../../functions/topology/queue-topology';
import { jobQueues, type RouteKey, routesOf } from '../../../functions/topology/topology';
import { JOB_DEFINITIONS, JOB_NAMES, JOBS, ROUTES } from '../../../functions/workers/jobs';

describe('job registry', () => {
  it('has exactly one definition per job name, under its own name', () => {
    expect(JOB_DEFINITIONS.map((d) => d.name)).toEqual([...JOB_NAMES]);
    for (const [key, definition] of Object.entries(JOBS)) expect(definition.name).toBe(key);
  });

  it('refuses two definitions of one name', () => {
    expect(() => jobRegistry([JOBS.audit, JOBS['sync-customer'], JOBS.audit])).toThrow(
      'Job "audit" is registered twice',
    );
  });

  it('derives the routes from the event types each job declares, both ways', () => {
    for (const [eventType, jobs] of Object.entries(ROUTES)) {
      for (const job of jobs ?? []) expect(JOBS[job].eventTypes).toContain(eventType);
    }
    for (const definition of JOB_DEFINITIONS) {
      for (const type of definition.eventTypes) expect(ROUTES[type]).toContain(definition.name);
    }
    // Every event type of the registry reaches a job of its own, besides the audit trail.
    for (const { type } of EVENT_TYPES) {
      expect(ROUTES[type as RouteKey]?.length ?? 0, type).toBeGreaterThanOrEqual(1);
    }
    expect(ROUTES['*']).toEqual(['audit']);
  });

  it('routesOf groups jobs by event type, in the order given', () => {
    expect(
      routesOf([
        { name: 'audit', eventTypes: ['*'] },
        { name: 'sync-customer', eventTypes: ['CUSTOMER_CREATED', 'CUSTOMER_UPDATED'] },
        { name: 'record-commission', eventTypes: ['CUSTOMER_UPDATED'] },
      ]),
    ).toEqual({
      '*': ['audit'],
      CUSTOMER_CREATED: ['sync-customer'],
      CUSTOMER_UPDATED: ['sync-customer', 'record-commission'],
    });
  });

  it('takes only event types of the registry (checked by the compiler)', () => {
    const definition = {
      name: 'audit' as const,
      description: 'a typo in an event type does not compile',
      // @ts-expect-error — 'ITEM_SOLDD' is not an event type: a silent skip before, an error now
      eventTypes: ['ITEM_SOLDD'] as const satisfies readonly RouteKey[],
      batch: false,
      access: {},
      settings: DEFAULT_JOB_SETTINGS,
    };
    expect(definition.eventTypes).toEqual(['ITEM_SOLDD']);
  });

  it("keeps each queue's maxReceiveCount in step with the topology", () => {
    const queues = new Map(queueTopology().map((q) => [q.name, q]));
    for (const definition of JOB_DEFINITIONS) {
      const spec = queues.get(jobQueues(definition.name).queue);
      expect(spec?.maxReceiveCount).toBe(definition.settings.maxReceiveCount);
    }
  });

  it('marks index-product batch-aware and every shipped job naturally idempotent', () => {
    expect(JOBS['index-product'].batch).toBe(true);
    expect(JOBS.audit.settings.idempotency).toBe('natural');
    expect(JOBS['record-commission'].settings.idempotency).toBe('natural');
    // Newest change time per field wins, on a version: a duplicate writes nothing.
    expect(JOBS['sync-customer'].settings.idempotency).toBe('natural');
    // Counts once by a marker written with its increments (counters.ts).
    expect(JOBS['detect-login-abuse'].settings.idempotency).toBe('natural');
  });
});

describe('jobDefinition', () => {
  const base = {
    name: 'audit' as const,
    description: 'test',
    eventTypes: ['*'] as const,
    batch: false,
    access: {},
    settings: DEFAULT_JOB_SETTINGS,
  };

  it('accepts consistent settings and freezes them', () => {
    const definition = jobDefinition(base);
    expect(Object.isFrozen(definition.settings)).toBe(true);
  });

  it.each([
    [{ maxConcurrency: 1 }, 'maxConcurrency'],
    [{ maxConcurrency: 1001 }, 'maxConcurrency'],
    [{ maxAttempts: 10, maxReceiveCount: 10 }, 'must exceed maxAttempts'],
    [{ maxAttempts: 2, maxReceiveCount: 4 }, 'maxReceiveCount must be an integer in [5'],
    [{ backoff: { baseSeconds: 10, capSeconds: SQS_MAX_VISIBILITY_SECONDS } }, 'capSeconds'],
    [{ backoff: { baseSeconds: 60, capSeconds: 30 } }, '≥ backoff.baseSeconds'],
    [{ batchSize: 100 }, 'batchSize'],
    [{ successRecords: 'sampled' as const }, 'sampleRate'],
    [{ successRecords: 'on' as const, sampleRate: 0.5 }, 'only meaningful'],
    [{ timeoutSeconds: 0 }, 'timeoutSeconds'],
  ])('rejects %j', (change, problem) => {
    const attempt = () =>
      jobDefinition({ ...base, settings: { ...DEFAULT_JOB_SETTINGS, ...change } });
    expect(attempt).toThrow(InvalidJobDefinitionError);
    expect(attempt).toThrow(problem);
  });

  it('names every problem at once', () => {
    try {
      jobDefinition({
        ...base,
        settings: { ...DEFAULT_JOB_SETTINGS, maxConcurrency: 0, timeoutSeconds: 0 },
      });
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidJobDefinitionError).problems).toHaveLength(2);
    }
  });
});
