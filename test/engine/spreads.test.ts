import { describe, expect, it } from 'vitest';
import { calcNetSpreads, calcSpreads, COMBOS, invSpread } from '../../src/main/engine/spreads';
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
    expect(calcSpreads(tops)[key].toString()).toBe(expected);
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
    expect(spreads.TT_LE.toString()).toBe('50');
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
