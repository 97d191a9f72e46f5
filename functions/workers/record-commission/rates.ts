/**
 * Commission rates as configuration: a default rate plus per-seller overrides, in basis
 * points (1 bp = 0.01 %, so 1000 = 10 %) so every rate is an exact integer. Deployed rates
 * come from `SLUICE_COMMISSION_RATES` (JSON), checked once at cold start: a bad value stops
 * the function with the variable's name and the first problem, instead of paying wrong
 * commissions.
 */
import type { Static } from '@sinclair/typebox';
// Namespace import: bundles only the builders used (the `Type` object holds every one).
import * as Type from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Env } from '../../shared/env';

/** 100 % in basis points: no commission can exceed the sale. */
export const BASIS_POINTS_PER_UNIT = 10_000;

const BasisPoints = Type.Integer({ minimum: 0, maximum: BASIS_POINTS_PER_UNIT });

export const CommissionRatesSchema = Type.Object(
  {
    /** Rate for every seller without an override. */
    defaultBasisPoints: BasisPoints,
    /** Seller id → rate. */
    sellers: Type.Optional(Type.Record(Type.String({ minLength: 1 }), BasisPoints)),
  },
  { additionalProperties: false },
);

export type CommissionRates = Static<typeof CommissionRatesSchema>;

export const COMMISSION_RATES_VARIABLE = 'SLUICE_COMMISSION_RATES';

/** The rates used when the variable is not set: 10 % for everyone. */
export const DEFAULT_COMMISSION_RATES: CommissionRates = { defaultBasisPoints: 1000 };

/**
 * Parses and checks a rates document; throws naming the variable and the first problem.
 *
 * @example
 * ```ts
 * parseCommissionRates('{"defaultBasisPoints":1000,"sellers":{"seller-7":750}}');
 * ```
 */
export function parseCommissionRates(json: string): CommissionRates {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`${COMMISSION_RATES_VARIABLE} is not JSON: ${(error as Error).message}`);
  }
  const problem = Value.Errors(CommissionRatesSchema, parsed).First();
  if (problem) {
    const where = problem.path === '' ? 'the document' : problem.path;
    throw new Error(
      `${COMMISSION_RATES_VARIABLE} is invalid at ${where}: ${problem.message} (rates are integer basis points 0–${BASIS_POINTS_PER_UNIT})`,
    );
  }
  return parsed as CommissionRates;
}

/**
 * `SLUICE_COMMISSION_RATES` when set, else {@link DEFAULT_COMMISSION_RATES}.
 *
 * @example
 * ```ts
 * const rates = readCommissionRates(process.env); // at module scope: fails at cold start
 * ```
 */
export function readCommissionRates(env: Env): CommissionRates {
  const raw = env[COMMISSION_RATES_VARIABLE];
  return raw === undefined || raw.trim() === ''
    ? DEFAULT_COMMISSION_RATES
    : parseCommissionRates(raw);
}

/**
 * The rate for a seller: its override, else the default.
 *
 * @example
 * ```ts
 * rateFor({ defaultBasisPoints: 1000, sellers: { s1: 500 } }, 's1'); // 500
 * ```
 */
export function rateFor(rates: CommissionRates, sellerId: string): number {
  const override =
    rates.sellers && Object.hasOwn(rates.sellers, sellerId) ? rates.sellers[sellerId] : undefined;
  return override ?? rates.defaultBasisPoints;
}
