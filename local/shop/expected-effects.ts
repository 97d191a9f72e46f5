/**
 * What the pipeline must have done with a scenario, computed from the scenario alone: the
 * distinct valid events, commissions per order line, the newest value of every customer
 * field, the login-abuse windows that cross a threshold, the records that must be dead
 * letters.
 */
import type { CloudEvent } from '../../functions/events/envelope';
import type { CustomerChange } from '../../functions/events/schemas/customers';
import type { LoginFailed } from '../../functions/events/schemas/identity';
import type { ItemSold } from '../../functions/events/schemas/orders';
import type { Scenario, ShopRecord } from './scenario';

export interface Expected {
  /** Valid events by id (a duplicate record carries the same event). */
  readonly events: ReadonlyMap<string, CloudEvent>;
  /** `<orderId>#<lineId>` of every sold line. */
  readonly commissionLines: ReadonlySet<string>;
  /** customerId → field → newest value. */
  readonly customers: ReadonlyMap<string, ReadonlyMap<string, unknown>>;
  /** `<kind>#<subject>#<windowStart>` of every window at or above its threshold. */
  readonly suspicions: ReadonlySet<string>;
  /** Failed logins per `<kind>#<subject>#<windowStart>`: a duplicate counted twice shows here. */
  readonly loginFailures: ReadonlyMap<string, number>;
  /** Every invalid record, duplicates included (each is its own dead letter). */
  readonly deadLetters: readonly ShopRecord[];
}

export interface AbuseRules {
  readonly windowSeconds: number;
  readonly accountThreshold: number;
  readonly ipThreshold: number;
}

function windowStart(time: string, seconds: number): string {
  const size = seconds * 1000;
  return new Date(Math.floor(Date.parse(time) / size) * size).toISOString();
}

/**
 * @example
 * ```ts
 * const expected = expectedEffects(scenario, { windowSeconds: 300, accountThreshold: 5, ipThreshold: 20 });
 * ```
 */
export function expectedEffects(scenario: Scenario, abuse: AbuseRules): Expected {
  const events = new Map<string, CloudEvent>();
  for (const record of scenario.records)
    if (record.event) events.set(record.event.id, record.event);

  const commissionLines = new Set<string>();
  const newest = new Map<string, Map<string, { value: unknown; changedAt: string }>>();
  const failures = new Map<string, number>();
  for (const event of events.values()) {
    if (event.type === 'ITEM_SOLD') {
      const data = event.data as ItemSold;
      for (const line of data.lines) commissionLines.add(`${data.orderId}#${line.lineId}`);
    } else if (event.type === 'CUSTOMER_CREATED' || event.type === 'CUSTOMER_UPDATED') {
      const data = event.data as CustomerChange;
      const fields = newest.get(data.customerId) ?? new Map();
      newest.set(data.customerId, fields);
      for (const [field, change] of Object.entries(data.changes)) {
        const known = fields.get(field);
        // Times of one field never tie in the scenario; ISO strings of one format sort.
        if (!known || known.changedAt < change.changedAt) fields.set(field, change);
      }
    } else if (event.type === 'LOGIN_FAILED') {
      const data = event.data as LoginFailed;
      const window = windowStart(event.time, abuse.windowSeconds);
      for (const key of [`account#${data.accountId}`, `ip#${data.ip.toLowerCase()}`]) {
        const id = `${key}#${window}`;
        failures.set(id, (failures.get(id) ?? 0) + 1);
      }
    }
  }
  const suspicions = new Set<string>();
  for (const [id, count] of failures) {
    const threshold = id.startsWith('account#') ? abuse.accountThreshold : abuse.ipThreshold;
    if (count >= threshold) suspicions.add(id);
  }
  const customers = new Map(
    [...newest].map(([id, fields]) => [id, new Map([...fields].map(([f, c]) => [f, c.value]))]),
  );
  return {
    events,
    commissionLines,
    customers,
    suspicions,
    loginFailures: failures,
    deadLetters: scenario.records.filter((r) => r.invalid),
  };
}
