import { describe, expect, it } from 'vitest';
import { defaultParams, paramWarnings, withParamLabels, type FeeSchedule } from '../src/shared/params';

const fees: FeeSchedule = { L: { maker: '0', taker: '0.0001' }, E: { maker: '0.0002', taker: '0.00025' } };

describe('parameter warnings (values valid alone, nonsense together)', () => {
  it('warns when one order is worth more than the position cap, not when it fits', () => {
    const params = { ...defaultParams(), orderValue: '5000', maxPositionValue: '1000' };
    expect(paramWarnings(params, null).map((warning) => warning.key)).toEqual(['orderValue']);
    expect(paramWarnings({ ...params, orderValue: '1000' }, null)).toEqual([]);
  });

  it('warns when MIN_SPREAD is under the cheapest maker-taker round trip, in percent', () => {
    // Cheapest leg pair: Lighter maker 0 + Extended taker 0.025 % -> 0.05 % in and out.
    const params = { ...defaultParams(), minSpread: '0.04' };
    const [warning] = paramWarnings(params, fees);
    expect(warning?.key).toBe('minSpread');
    expect(warning?.text).toContain('0.05 %');
    expect(paramWarnings({ ...params, minSpread: '0.05' }, fees)).toEqual([]);
  });

  it('adds the taker-taker round trip when ENABLE_TT is on', () => {
    const params = { ...defaultParams(), minSpread: '0.06', enableTt: true };
    const texts = paramWarnings(params, fees).map((warning) => warning.text);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('taker-taker');
    expect(texts[0]).toContain('0.07 %');
    expect(paramWarnings({ ...params, minSpread: '0.04' }, fees)).toHaveLength(2);
  });
});

describe('error messages name parameters as the trader knows them', () => {
  it('turns contract paths into the config names and leaves other text alone', () => {
    expect(withParamLabels('params.minSpread: must be >= -100; params.orderValue too')).toBe('MIN_SPREAD: must be >= -100; ORDER_VALUE too');
    expect(withParamLabels('params.nonsense stays')).toBe('params.nonsense stays');
  });
});
