import { describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { calcNetSpreads, calcSpreads, COMBOS, exitThreshold, invSpread, PercentThreshold, Spread, thresholdOf } from '../../src/main/engine/spreads';
import { toFees } from '../../src/main/engine/params';
import { d } from '../helpers/engineHarness';

const tops = { bidL: d('2999'), askL: d('3000'), bidE: d('3003'), askE: d('3004') };

describe('calcSpreads', () => {
  it.each([
    ['TT_LE', '(bidE - askL) / askL', '0.1'],
    ['MT_LE', '(bidE - bidL) / bidL', '0.13337779259753251084'],
    ['TM_LE', '(askE - askL) / askL', '0.13333333333333333333'],
    ['TT_EL', '(bidL - askE) / askE', '-0.16644474034620505992'],
    ['MT_EL', '(bidL - bidE) / bidE', '-0.13320013320013320013'],
    ['TM_EL', '(askL - askE) / askE', '-0.13315579227696404794']
  ] as const)('%s = %s x 100', (key, _formula, expected) => {
    expect(calcSpreads(tops)[key].toDecimal().toString()).toBe(expected);
  });

  it('puts the maker leg where strategy.md says', () => {
    expect(COMBOS.MT_LE.maker).toMatchObject({ venue: 'L', side: 'buy', price: 'bidL' });
    expect(COMBOS.TM_EL.maker).toMatchObject({ venue: 'L', side: 'sell', price: 'askL' });
    expect(COMBOS.MT_EL.maker).toMatchObject({ venue: 'E', side: 'buy', price: 'bidE' });
    expect(COMBOS.TM_LE.maker).toMatchObject({ venue: 'E', side: 'sell', price: 'askE' });
    expect(COMBOS.TT_LE.maker).toBeNull();
  });

  it('is exact: no float error', () => {
    const spreads = calcSpreads({ bidL: d('0.1'), askL: d('0.2'), bidE: d('0.3'), askE: d('0.3') });
    expect(spreads.TT_LE.toDecimal().toString()).toBe('50');
  });
});

describe('comparing spreads exactly, on integers', () => {
  // 3001.50 over 3000.00 is exactly 0.05 %: the boundary must not qualify for "> 0.05".
  const atBoundary = calcSpreads({ bidL: d('3000.00'), askL: d('3000.10'), bidE: d('3001.5'), askE: d('3001.6') }).MT_LE;

  it('a spread equal to the threshold does not exceed it; one tick more does', () => {
    expect(atBoundary.toDecimal().toString()).toBe('0.05');
    expect(atBoundary.exceeds(thresholdOf(d('0.05')))).toBe(false);
    expect(atBoundary.exceeds(thresholdOf(d('0.0499999999')))).toBe(true);
    const oneTickMore = calcSpreads({ bidL: d('3000.00'), askL: d('3000.10'), bidE: d('3001.51'), askE: d('3001.6') }).MT_LE;
    expect(oneTickMore.exceeds(thresholdOf(d('0.05')))).toBe(true);
  });

  it('agrees with decimal arithmetic on thousands of random books and thresholds, through the BigInt path too', () => {
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    for (let i = 0; i < 3000; i++) {
      const buy = 1 + (next() % 10_000_000);
      const sell = 1 + (next() % 10_000_000);
      const spread = new Spread(sell - buy, buy);
      const exact = new Decimal(sell - buy).times(100).div(buy);
      // A threshold with many decimals (INV spreads have 20 digits) goes through BigInt.
      const threshold = new Decimal(next() % 2000).minus(1000).div(7).toDecimalPlaces(18);
      const exactGreater = new Decimal(sell - buy).times(100).gt(threshold.times(buy));
      expect(spread.exceeds(thresholdOf(threshold))).toBe(exactGreater);
      // A parameter's few decimals stay in safe integers (the number path).
      const short = threshold.toDecimalPlaces(2);
      expect(spread.exceeds(thresholdOf(short))).toBe(new Decimal(sell - buy).times(100).gt(short.times(buy)));
      const other = new Spread((next() % 20_000) - 10_000, 1 + (next() % 5_000_000));
      expect(spread.greaterThan(other)).toBe(new Decimal(spread.diff).times(other.base).gt(new Decimal(other.diff).times(spread.base)));
      expect(spread.format(4)).toBe(exact.toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toString());
    }
  });

  it('an exit at exactly SPREAD_TP - INV does not qualify, with INV taken exactly (its decimal has 20 digits only)', () => {
    // LE inventory bought on L at 3000, sold on E at 3002: INV = 200/3000 % = 1/15 %, whose decimal rounds up.
    const inv = invSpread('LE', d('3000'), d('3002'));
    expect(inv.toString()).toBe('0.066666666666666666667');
    // An EL spread of exactly 1/30 % (diff 1 over 3000): 1/30 + 1/15 = 0.1 = SPREAD_TP, not over it.
    const exit = new Spread(1, 3000);
    expect(exit.exceeds(exitThreshold(d('0.1'), inv))).toBe(false);
    expect(exit.exceeds(exitThreshold(d('0.0999999999999999999999999'), inv))).toBe(true);
    // SPREAD_TP minus the 20-digit INV would have said yes.
    expect(exit.exceeds(new PercentThreshold(d('0.1').minus(inv)))).toBe(true);
  });

  it('an exit threshold is SPREAD_TP minus INV, and a non-positive price qualifies for nothing', () => {
    // spread + INV > TP  <=>  spread > TP - INV: 0.05 + 0.01 > 0.06 is false, 0.05 + 0.0100001 > 0.06 true.
    expect(atBoundary.exceeds(exitThreshold(d('0.06'), d('0.01')))).toBe(false);
    expect(atBoundary.exceeds(exitThreshold(d('0.06'), d('0.0100001')))).toBe(true);
    const broken = new Spread(5, 0);
    expect(broken.exceeds(thresholdOf(d('-100')))).toBe(false);
    expect(broken.greaterThan(atBoundary)).toBe(false);
    expect(atBoundary.greaterThan(broken)).toBe(true);
  });
});

describe('INV spread', () => {
  it.each([
    ['LE', '3000', '3006', '0.2'],
    ['EL', '3006', '3000', '0.2'],
    ['LE', '3010', '3000', '-0.33222591362126245847'],
    [null, '3000', '3006', '0']
  ] as const)('%s with entryL %s entryE %s is %s', (direction, entryL, entryE, expected) => {
    expect(invSpread(direction, d(entryL), d(entryE)).toString()).toBe(expected);
  });
});

describe('net of fees', () => {
  it('subtracts each leg at its own role', () => {
    const fees = toFees({ L: { maker: '0', taker: '0.0002' }, E: { maker: '-0.0001', taker: '0.00025' } });
    const net = calcNetSpreads(tops, fees);
    // TT_LE: sell E taker 3003 * (1 - 0.00025), buy L taker 3000 * (1 + 0.0002).
    expect(net.TT_LE.toString()).toBe(d('3003').times('0.99975').minus(d('3000').times('1.0002')).div('3000').times(100).toString());
    // MT_EL: buy E maker (rebate) at 3003, sell L taker at 2999.
    expect(net.MT_EL.toString()).toBe(d('2999').times('0.9998').minus(d('3003').times('0.9999')).div('3003').times(100).toString());
  });
});
