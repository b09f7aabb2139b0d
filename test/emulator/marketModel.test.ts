import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/kernel/clock';
import { EmulatorMarket } from '../../src/main/emulator/emulatorMarket';
import { formatScaled } from '../../src/main/emulator/marketModel';

/** Runs a market for `steps` steps with the same scripted orders and returns what happened. */
function run(seed: number, steps = 1000) {
  const clock = new ManualClock();
  const market = new EmulatorMarket({ clock, seed, fillProbability: 0.3 });
  const tops: string[] = [];
  for (let step = 0; step < steps; step++) {
    if (step % 20 === 0) {
      for (const venue of ['L', 'E'] as const) {
        const exchange = market.exchanges[venue];
        const bid = exchange.bestBid() as number;
        exchange.submit({
          clientId: `${venue}-${step}`,
          side: 'buy',
          price: bid,
          qty: venue === 'L' ? 500 : 50,
          type: 'limit',
          tif: 'post_only',
          reduceOnly: false,
          expiresAt: 0,
          meta: {}
        });
      }
    }
    market.step();
    const { L, E } = market.exchanges;
    tops.push(`${L.bestBid()}/${L.bestAsk()} ${E.bestBid()}/${E.bestAsk()}`);
  }
  const fills = (['L', 'E'] as const).flatMap((venue) =>
    market.exchanges[venue].record.trades.map((t) => `${venue} ${t.clientId} ${t.qty}@${t.price} ${t.maker}`)
  );
  return { tops, fills };
}

describe('market model', () => {
  it('the same seed gives the same books and the same fills', () => {
    const first = run(5);
    const second = run(5);
    expect(second.tops).toEqual(first.tops);
    expect(second.fills).toEqual(first.fills);
    expect(first.fills.length).toBeGreaterThan(5);
    // Our resting orders were filled, sometimes only in part.
    expect(first.fills.some((fill) => !fill.includes(' 500@') && !fill.includes(' 50@'))).toBe(true);
  });

  it('another seed gives another market', () => {
    expect(run(6).tops).not.toEqual(run(5).tops);
  });

  it('keeps each venue on its own tick, never crossed, and lets cross-venue spreads open and close', () => {
    const clock = new ManualClock();
    const market = new EmulatorMarket({ clock, seed: 9 });
    let lRich = 0;
    let eRich = 0;
    for (let i = 0; i < 2000; i++) {
      market.step();
      const { L, E } = market.exchanges;
      const [bl, al, be, ae] = [L.bestBid(), L.bestAsk(), E.bestBid(), E.bestAsk()] as number[];
      expect(bl).toBeLessThan(al as number);
      expect(be).toBeLessThan(ae as number);
      // L in cents, E in tenths: compare in cents.
      if ((bl as number) > (ae as number) * 10) lRich += 1;
      if ((be as number) * 10 > (al as number)) eRich += 1;
    }
    expect(lRich).toBeGreaterThan(10);
    expect(eRich).toBeGreaterThan(10);
  });

  it('lets an IOC walk the book at real prices and takes the liquidity', () => {
    const market = new EmulatorMarket({ clock: new ManualClock(), seed: 3 });
    const L = market.exchanges.L;
    const [first, second] = L.book().asks as Array<[number, number]>;
    const order = L.submit({
      clientId: '1',
      side: 'buy',
      price: second![0],
      qty: first![1] + 10,
      type: 'market',
      tif: 'ioc',
      reduceOnly: false,
      expiresAt: 0,
      meta: {}
    });
    expect(order.filled).toBe(first![1] + 10);
    expect(L.record.trades.map((t) => [t.price, t.qty, t.maker])).toEqual([
      [first![0], first![1], false],
      [second![0], 10, false]
    ]);
    expect(L.book().asks[0]).toEqual([second![0], second![1] - 10]);
    expect(L.position.qty.toString()).toBe(formatScaled(first![1] + 10, 4).replace(/\.?0+$/, ''));
  });

  it('cancels a post-only order that would cross', () => {
    const market = new EmulatorMarket({ clock: new ManualClock(), seed: 3 });
    const L = market.exchanges.L;
    const order = L.submit({
      clientId: '1',
      side: 'buy',
      price: L.bestAsk() as number,
      qty: 500,
      type: 'limit',
      tif: 'post_only',
      reduceOnly: false,
      expiresAt: 0,
      meta: {}
    });
    expect([order.state, order.reason, order.filled]).toEqual(['cancelled', 'post_only', 0]);
  });

  it('formats scaled integers exactly', () => {
    expect([formatScaled(500, 4), formatScaled(301245, 2), formatScaled(7, 0), formatScaled(-5, 2)]).toEqual(['0.0500', '3012.45', '7', '-0.05']);
  });
});
