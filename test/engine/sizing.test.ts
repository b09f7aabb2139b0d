import { describe, expect, it } from 'vitest';
import { SIM_MARKETS } from '../helpers/simulatedMarket';
import { roundPriceToTick, roundToBothSteps, roundToStep } from '../../src/main/kernel/decimalMath';
import { orderSize } from '../../src/main/engine/makerBot';
import { positionAfterFill } from '../../src/main/kernel/position';
import { TradingState } from '../../src/main/engine/state';
import { OrderBook, parseScaled } from '../../src/main/kernel/book';
import { d } from '../helpers/engineHarness';

const L = SIM_MARKETS.L.market; // step 0.0001, min 0.005, min value 10
const E = SIM_MARKETS.E.market; // step 0.001, min 0.01, no min value

describe('sizing and rounding with real venue steps', () => {
  it('sizes from the exact quotient: a division rounded at 20 digits never lifts the size to the next step', () => {
    // 99.8999999999999999997 / 3000 = 0.03329999999999999999990: rounded half-up at 20 digits it is 0.0333.
    expect(d('99.8999999999999999997').div(d('3000')).toString()).toBe('0.0333');
    expect(orderSize(SIM_MARKETS.L.market, d('99.8999999999999999997'), d('3000')).qty.toString()).toBe('0.0332');
  });

  it.each([
    [L, '100', '3000.10', '0.0333', undefined],
    [E, '100', '3003.3', '0.033', undefined],
    [L, '10', '3000', '0.0033', 'size 0.0033 below min size 0.005'],
    [E, '20', '3003.3', '0.006', 'size 0.006 below min size 0.01'],
    [L, '16', '3000', '0.0053', undefined],
    [{ ...L, minSize: d('0.001') }, '5', '3000', '0.0016', 'value 4.8 below min value 10']
  ])('%#: value %s at %s -> %s', (market, value, price, qty, problem) => {
    const size = orderSize(market, d(value), d(price));
    expect(size.qty.toString()).toBe(qty);
    expect(size.problem).toBe(problem);
  });

  it('caps an exit at the inventory it unwinds', () => {
    expect(orderSize(E, d('100'), d('3000'), d('-0.0219')).qty.toString()).toBe('0.021');
  });

  it('rounds toward zero, keeping the sign, and exactly', () => {
    expect(roundToStep(d('-0.03339'), d('0.001')).toString()).toBe('-0.033');
    expect(roundToStep(d('0.3'), d('0.1')).toString()).toBe('0.3');
    // 0.1 + 0.2 would be 0.30000000000000004 as floats.
    expect(roundToStep(d('0.1').plus('0.2'), d('0.1')).toString()).toBe('0.3');
    expect(roundToStep(d('7'), d('0.5')).toString()).toBe('7');
  });

  it('finds one size for both venues', () => {
    expect(roundToBothSteps(d('0.03339'), d('0.0001'), d('0.001')).toString()).toBe('0.033');
    expect(roundToBothSteps(d('1.7'), d('0.5'), d('0.2')).toString()).toBe('1');
  });

  it('rounds price caps to the tick in the safe direction', () => {
    expect(roundPriceToTick(d('3015.1005'), d('0.1'), 'down').toString()).toBe('3015.1');
    expect(roundPriceToTick(d('2987.985'), d('0.1'), 'up').toString()).toBe('2988');
  });
});

describe('positions: average entry and realised PnL', () => {
  it.each([
    ['open long', ['0', '0'], '1', '3000', ['1', '3000', '0']],
    ['add long', ['1', '3000'], '1', '3010', ['2', '3005', '0']],
    ['reduce long', ['2', '3005'], '-0.5', '3015', ['1.5', '3005', '5']],
    ['close long', ['1.5', '3005'], '-1.5', '2995', ['0', '0', '-15']],
    ['flip long to short', ['1', '3000'], '-3', '3006', ['-2', '3006', '6']],
    ['reduce short', ['-2', '3006'], '1', '3000', ['-1', '3006', '6']]
  ])('%s', (_label, [qty, entry], fill, price, [nextQty, nextEntry, realised]) => {
    const next = positionAfterFill({ qty: d(qty!), avgEntry: d(entry!) }, d(fill), d(price));
    expect([next.qty.toString(), next.avgEntry.toString(), next.realised.toString()]).toEqual([nextQty, nextEntry, realised]);
  });

  it('the state tracks inventory direction and position value', () => {
    const state = new TradingState();
    state.applyFill({ id: '1', venue: 'L', qty: d('0.5'), price: d('3000'), maker: true, orderId: 'a', receivedAt: 0 });
    state.applyFill({ id: '2', venue: 'E', qty: d('-0.5'), price: d('3006'), maker: false, orderId: 'b', receivedAt: 0, fee: d('0.375') });
    expect(state.inventoryDirection()).toBe('LE');
    expect(state.positionValue().toString()).toBe('1503');
    expect(state.realised.E.toString()).toBe('-0.375');
  });
});

describe('order book on scaled integers', () => {
  it('parses wire strings exactly and refuses extra precision', () => {
    expect(parseScaled('3012.45', 2)).toBe(301245);
    expect(parseScaled('3012.4500', 2)).toBe(301245);
    expect(parseScaled('7', 3)).toBe(7000);
    expect(() => parseScaled('3012.456', 2)).toThrow(/more than 2 decimals/);
    expect(() => parseScaled('-1', 2)).toThrow(/unsigned decimal/);
    expect(() => parseScaled('1e3', 2)).toThrow(/unsigned decimal/);
  });

  it('keeps levels sorted best first, applies changes and removals, and reports the tops', () => {
    const book = new OrderBook(2, 4);
    book.applySnapshot(
      [
        ['100.00', '1'],
        ['99.50', '2']
      ],
      [
        ['100.50', '1'],
        ['101.00', '3']
      ],
      1
    );
    book.applyLevels(
      'bid',
      [
        ['100.20', '0.5'],
        ['99.50', '0']
      ],
      2
    );
    book.applyChange('ask', '100.50', '-1', 3);
    book.applyChange('ask', '100.70', '0.25', 3);
    expect(book.depth('bid', 5).map((l) => `${l.size}@${l.price}`)).toEqual(['0.5@100.2', '1@100']);
    expect(book.depth('ask', 5).map((l) => `${l.size}@${l.price}`)).toEqual(['0.25@100.7', '3@101']);
    expect(book.bestBid()?.toString()).toBe('100.2');
    expect(book.bestAsk()?.toString()).toBe('100.7');
    expect(book.ready).toBe(true);
    expect(book.updatedAt).toBe(3);
  });

  it('a crossed book is never ready; a bad level leaves the book unchanged', () => {
    const book = new OrderBook(2, 4);
    book.applySnapshot([['100.00', '1']], [['100.50', '1']], 1);
    expect(() => book.applySnapshot([['x', '1']], [['100.50', '1']], 2)).toThrow();
    expect(book.bestBid()?.toString()).toBe('100');
    book.applyLevels('bid', [['100.60', '1']], 3);
    expect(book.crossed()).toBe(true);
    expect(book.ready).toBe(false);
  });
});
