/**
 * Valid sample events of every registered type, for tests, benchmarks and the local
 * generator. Deterministic for a given sequence number.
 */
import type { CloudEvent } from '../../functions/events/envelope';
import type { EventType } from '../../functions/events/registry';

type EventInit = Omit<CloudEvent, 'specversion' | 'time'> & { time?: string };

function envelope(init: EventInit): CloudEvent {
  return { specversion: '1.0', time: init.time ?? '2026-11-28T09:30:00Z', ...init };
}

/** A PRODUCT_PUBLISHED event (reference: product id and catalog version). */
export function productPublished(n: number): CloudEvent {
  return envelope({
    id: `evt-product-${n}`,
    source: 'urn:shop:catalog',
    type: 'PRODUCT_PUBLISHED',
    subject: `prod-${n % 500}`,
    dataversion: 1,
    data: { productId: `prod-${n % 500}`, catalogVersion: 1 + (n % 17) },
  });
}

/** An ITEM_SOLD event at the latest version (2), with 1–3 lines. */
export function itemSold(n: number): CloudEvent {
  const lines = Array.from({ length: 1 + (n % 3) }, (_, i) => ({
    lineId: String(i + 1),
    productId: `prod-${(n + i) % 500}`,
    sellerId: `seller-${(n + i) % 40}`,
    quantity: 1 + ((n + i) % 4),
    unitPrice: { amount: 499 + ((n * 7 + i) % 5000), currency: 'EUR' },
  }));
  return envelope({
    id: `evt-sale-${n}`,
    source: 'urn:shop:orders',
    type: 'ITEM_SOLD',
    subject: `order-${n}`,
    dataversion: 2,
    data: { orderId: `order-${n}`, soldAt: '2026-11-28T09:30:00Z', lines },
  });
}

/** An ITEM_SOLD event at version 1 (decimal prices), which the router upcasts to version 2. */
export function itemSoldV1(n: number): CloudEvent {
  return envelope({
    id: `evt-sale-v1-${n}`,
    source: 'urn:shop:orders',
    type: 'ITEM_SOLD',
    dataversion: 1,
    data: {
      orderId: `order-v1-${n}`,
      soldAt: '2026-11-28T09:30:00Z',
      currency: 'EUR',
      lines: [
        { productId: `prod-${n % 500}`, sellerId: 'seller-1', quantity: 2, unitPrice: 12.99 },
      ],
    },
  });
}

/** A LOGIN_FAILED event. */
export function loginFailed(n: number): CloudEvent {
  return envelope({
    id: `evt-login-${n}`,
    source: 'urn:shop:identity',
    type: 'LOGIN_FAILED',
    dataversion: 1,
    data: {
      accountId: `acct-${n % 100}`,
      email: `user${n % 100}@example.com`,
      ip: `203.0.113.${n % 250}`,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
      reason: 'BAD_PASSWORD',
    },
  });
}

/** A CUSTOMER_UPDATED event with one changed field. */
export function customerUpdated(n: number): CloudEvent {
  return envelope({
    id: `evt-customer-${n}`,
    source: 'urn:shop:customers',
    type: 'CUSTOMER_UPDATED',
    dataversion: 1,
    data: {
      customerId: `cust-${n % 200}`,
      changes: { city: { value: `City ${n}`, changedAt: '2026-11-28T09:30:00Z' } },
    },
  });
}

/** The n-th event of a mixed stream covering every kind above. */
export function sampleEvent(n: number): CloudEvent {
  const makers = [productPublished, itemSold, loginFailed, customerUpdated, itemSoldV1];
  return (makers[n % makers.length] as (n: number) => CloudEvent)(n);
}

/** A sample of each registered type, so a new event type fails the typecheck until it has one. */
const SAMPLES: Record<EventType, (n: number) => CloudEvent> = {
  PRODUCT_PUBLISHED: productPublished,
  PRODUCT_UPDATED: productPublished,
  PRODUCT_UNPUBLISHED: productPublished,
  ITEM_SOLD: itemSold,
  LOGIN_FAILED: loginFailed,
  CUSTOMER_CREATED: customerUpdated,
  CUSTOMER_UPDATED: customerUpdated,
};

/**
 * A valid event of `type` at its latest schema version, as a job of that type receives it;
 * its id is unique per type and `n`.
 */
export function sampleOfType(type: EventType, n = 1): CloudEvent {
  const sample = SAMPLES[type](n);
  return { ...sample, type, id: `${sample.id}-${type.toLowerCase()}` };
}
