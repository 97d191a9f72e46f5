import { describe, expect, it } from 'vitest';
import {
  COMMISSION_RATES_VARIABLE,
  DEFAULT_COMMISSION_RATES,
  parseCommissionRates,
  rateFor,
  readCommissionRates,
} from '../../../../functions/workers/record-commission/rates';

describe('commission rates configuration', () => {
  it('uses the defaults when the variable is unset or blank', () => {
    expect(readCommissionRates({})).toEqual(DEFAULT_COMMISSION_RATES);
    expect(readCommissionRates({ [COMMISSION_RATES_VARIABLE]: '  ' })).toEqual(
      DEFAULT_COMMISSION_RATES,
    );
  });

  it('reads a default rate and per-seller overrides from the variable', () => {
    const rates = readCommissionRates({
      [COMMISSION_RATES_VARIABLE]: '{"defaultBasisPoints":1200,"sellers":{"s-1":0,"s-2":10000}}',
    });
    expect(rates).toEqual({ defaultBasisPoints: 1200, sellers: { 's-1': 0, 's-2': 10000 } });
  });

  it.each([
    ['{"defaultBasisPoints":', 'is not JSON'],
    ['[]', 'is invalid at the document'],
    ['{"sellers":{}}', 'is invalid'],
    ['{"defaultBasisPoints":10001}', 'is invalid at /defaultBasisPoints'],
    ['{"defaultBasisPoints":12.5}', 'is invalid at /defaultBasisPoints'],
    ['{"defaultBasisPoints":100,"sellers":{"s":-1}}', 'is invalid at /sellers/s'],
    ['{"defaultBasisPoints":100,"categories":{}}', 'is invalid'],
  ])('rejects %s naming the variable and the problem', (json, problem) => {
    const read = () => parseCommissionRates(json);
    expect(read).toThrow(COMMISSION_RATES_VARIABLE);
    expect(read).toThrow(problem);
  });

  it('takes a seller override over the default, and only an own override', () => {
    const rates = { defaultBasisPoints: 1000, sellers: { 's-1': 250 } };
    expect(rateFor(rates, 's-1')).toBe(250);
    expect(rateFor(rates, 's-2')).toBe(1000);
    // Names of Object.prototype members are ordinary seller ids.
    expect(rateFor(rates, 'constructor')).toBe(1000);
    expect(rateFor(rates, 'toString')).toBe(1000);
    expect(rateFor({ defaultBasisPoints: 5 }, 's-1')).toBe(5);
  });
});
