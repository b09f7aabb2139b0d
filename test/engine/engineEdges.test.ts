/**
 * Engine truth at the edges (issue "Engine truth at the edges, and money figures a trader can
 * trust"): each case is one the engine got wrong before, at timings a Standard Lighter account
 * produces every day (a tx waiting for a budget slot, a 300 ms taker delay, an answer lost while the
 * fill streams), driven through the in-memory venues in simulated time and asserted through the
 * commands, the snapshot and the journal.
 */
import { describe, expect, it } from 'vitest';
import type { SentOrder } from '../../src/main/sim/memoryVenue';
import { VenueOrderError } from '../../src/main/ports/venue';
import { defaultParams } from '../../src/shared/params';
import { toFees } from '../../src/main/engine/params';
import { d, E_RICH, harness, quoting } from '../helpers/engineHarness';

// Books where nothing qualifies.
const FLAT = { L: ['3000.00', '3000.10'] as [string, string], E: ['3000.0', '3000.3'] as [string, string] };

type MarketSent = Extract<SentOrder, { kind: 'market' }>;
const markets = (sent: SentOrder[]) => sent.filter((order): order is MarketSent => order.kind === 'market');
const postOnlies = (sent: SentOrder[]) => sent.filter((order) => order.kind === 'post_only');
const alarmKinds = (h: ReturnType<typeof harness>) => h.engine.snapshot().alarms.map((alarm) => alarm.kind);
const inventory = (h: ReturnType<typeof harness>) => h.engine.snapshot().inventory;

/** unhedged_L + unhedged_E = net + legs in flight, with no leak found on the way. */
function expectExplained(h: ReturnType<typeof harness>) {
  const inv = inventory(h);
  expect(d(inv.unhedgedL).plus(inv.unhedgedE).toString()).toBe(d(inv.net).plus(inv.legsInFlight).toString());
  expect(h.engine.exposure.leaks).toBe(0);
}

/** Keeps both books fresh for `ms` (the engine cancels quotes on a stale book). */
async function keepFresh(h: ReturnType<typeof harness>, ms: number, books = E_RICH, stepMs = 250) {
  for (let t = 0; t < ms; t += stepMs) {
    h.setL(...books.L);
    h.setE(...books.E);
    await h.settle(stepMs);
  }
}

describe('an order whose send is unanswered is never settled from the absence of a record', () => {
  it('a quote still on its way after 3 s stays the live order: no second quote, nothing rests untracked', async () => {
    const h = harness();
    await h.boot(E_RICH);
    h.E.placeDelayMs = 4000;
    await h.arm();
    await keepFresh(h, 3500);
    expect(postOnlies(h.E.sent)).toHaveLength(1);
    expect(h.engine.snapshot().orders.open.map((order) => [order.purpose, order.state])).toEqual([['maker', 'pending']]);
    await keepFresh(h, 2000);
    expect(h.engine.snapshot().liveOrder).toMatchObject({ venue: 'E', status: 'live' });
    expect(postOnlies(h.E.sent)).toHaveLength(1);
    expect(h.E.orders.size).toBe(1);
  });

  it('a kill while a create is still on its way does not say "none open" until it landed and was swept', async () => {
    const h = harness();
    await h.boot(E_RICH);
    h.E.placeDelayMs = 4000;
    await h.arm();
    await keepFresh(h, 100);
    let answered = false;
    const killed = h.host.command({ type: 'kill' }).then((result) => ((answered = true), result));
    await h.clock.advance(3500);
    expect(answered).toBe(false);
    await h.clock.advance(2000);
    expect((await killed).ok).toBe(true);
    expect(h.E.orders.size).toBe(0);
  });

  it('a hedge IOC that executes 4 s after it was sent is hedged once: no second hedge, no doubled position', async () => {
    const h = await quoting({ reconcileMs: 0 });
    h.L.marketDelayMs = 4000;
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.settle(8000);
    expect(markets(h.L.sent)).toHaveLength(1);
    expect([inventory(h).invL, inventory(h).invE, inventory(h).net]).toEqual(['0.033', '-0.033', '0']);
    expectExplained(h);
  });
});

describe('a fill of an order of unknown outcome does not end its look-ups', () => {
  it('an IOC whose answer was lost and whose half fill streamed later is looked up, settled, and its rest hedged', async () => {
    const h = await quoting({ reconcileMs: 0 });
    h.L.lostAnswers = 1;
    h.L.marketFillRatio = d('0.5');
    h.L.marketFillDelayMs = 200;
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.settle(1);
    h.L.marketFillRatio = null;
    await h.settle(5000);
    // The half that did not fill went back to unhedged and was hedged by a second IOC.
    expect(markets(h.L.sent).map((order) => order.request.qty.toString())).toEqual(['0.033', '0.0165']);
    expect([inventory(h).invL, inventory(h).net, inventory(h).unknownOrders]).toEqual(['0.033', '0', 0]);
    expect(alarmKinds(h)).not.toContain('order_unknown');
    expectExplained(h);
  });
});

describe("the venue's final filled quantity wins", () => {
  it('a fill the stream lost is fetched from the venue before the order is forgotten: not hedged again', async () => {
    const h = await quoting({ reconcileMs: 0 });
    h.L.dropFills = 1;
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.settle(10_000);
    expect(markets(h.L.sent)).toHaveLength(1);
    expect([inventory(h).invL, inventory(h).net]).toEqual(['0.033', '0']);
    // Counted once, under the venue's own trade id.
    const hedgeFills = h.journal.fills.filter((fill) => fill.venue === 'L');
    expect(hedgeFills).toHaveLength(1);
    expect(hedgeFills[0]?.id).toBe(h.L.fillsReported[0]?.id);
    expectExplained(h);
  });
});

describe('flatten adopts the venues positions', () => {
  it("a position the engine did not know is closed and adopted: the hedge engine re-opens nothing after 'flattened'", async () => {
    const h = harness({ reconcileMs: 0 });
    await h.boot(FLAT);
    // A fill the engine never heard of: the venue holds 0.05 on L, the engine thinks flat.
    h.L.position = { qty: d('0.05'), avgEntry: d('3000') };
    const result = await h.host.command({ type: 'flatten', confirm: true });
    expect(result.ok).toBe(true);
    await h.hedgerIdle();
    await h.settle(2000);
    expect(markets(h.L.sent).map((order) => [order.request.side, order.request.qty.toString()])).toEqual([['sell', '0.05']]);
    expect(markets(h.E.sent)).toEqual([]);
    expect([inventory(h).invL, inventory(h).invE, inventory(h).unhedgedL, inventory(h).unhedgedE]).toEqual(['0', '0', '0', '0']);
    expectExplained(h);
  });
});

describe('fills the order registry proves impossible are refused', () => {
  it('a second fill beyond the order size, a buy fill of our sell, and a forged 20 ETH fill: refused, journaled as refused, nothing hedged', async () => {
    const h = await quoting({ reconcileMs: 0 });
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.hedgerIdle();
    expect(markets(h.L.sent)).toHaveLength(1);
    h.E.streamFill({ id: 'E-extra', qty: d('-0.033'), price: d('3003.3'), maker: true, orderId: maker.clientId });
    h.E.streamFill({ id: 'E-wrong-side', qty: d('0.01'), price: d('3003.3'), maker: true, orderId: maker.clientId });
    h.E.streamFill({ id: 'E-forged', qty: d('-20'), price: d('3003.3'), maker: true, orderId: maker.clientId });
    await h.hedgerIdle();
    await h.settle(1000);
    expect(markets(h.L.sent)).toHaveLength(1);
    expect([inventory(h).invE, inventory(h).net]).toEqual(['-0.033', '0']);
    expect(alarmKinds(h)).toContain('bad_fill');
    expect(h.journal.fills.filter((fill) => fill.refused).map((fill) => fill.id)).toEqual(['E-extra#refused', 'E-wrong-side#refused', 'E-forged#refused']);
    expectExplained(h);
  });

  it('a fill of an order this engine never sent is foreign: counted nowhere, alarmed once, left out of the reconcile', async () => {
    const h = harness({ reconcileMs: 1000 });
    await h.boot(FLAT);
    h.E.position = { qty: d('-0.4'), avgEntry: d('3000') };
    h.E.streamFill({ id: 'E-web', qty: d('-0.4'), price: d('3000'), maker: false, orderId: 'web-app-42' }, { recorded: true });
    h.E.streamFill({ id: 'E-web-2', qty: d('0.1'), price: d('3000'), maker: false, orderId: 'web-app-43' }, { recorded: true });
    h.E.position = { qty: d('-0.3'), avgEntry: d('3000') };
    await keepFresh(h, 6000, FLAT);
    expect([inventory(h).invE, inventory(h).net, inventory(h).unhedgedL]).toEqual(['0', '0', '0']);
    expect(h.engine.snapshot().alarms.filter((alarm) => alarm.kind === 'foreign_activity')).toHaveLength(1);
    expect(h.engine.reconciler.stats.corrections).toBe(0);
    expect(h.journal.fills.filter((fill) => fill.refused?.startsWith('foreign')).map((fill) => fill.id)).toEqual(['E-web', 'E-web-2']);
    expect(markets(h.L.sent)).toEqual([]);
  });

  it("a forged fill frame of an order not ours moves nothing: the venue's trades never show it, it is refused, no correction, no hedge", async () => {
    const h = harness({ reconcileMs: 1000 });
    await h.boot(FLAT);
    // 20 ETH on an order the engine cannot size; the venue's record and position know nothing of it.
    h.E.streamFill({ id: 'E-crafted', qty: d('20'), price: d('3000'), maker: true, orderId: 'not-ours-7' });
    await keepFresh(h, 10_000, FLAT);
    expect([inventory(h).invE, inventory(h).net, inventory(h).unhedgedL]).toEqual(['0', '0', '0']);
    expect(h.engine.reconciler.stats.corrections).toBe(0);
    expect(h.engine.exposure.leaks).toBe(0);
    expect(alarmKinds(h)).toContain('bad_fill');
    expect(alarmKinds(h)).not.toContain('foreign_activity');
    expect(h.journal.fills.map((fill) => fill.id)).toEqual(['E-crafted#refused']);
    expect(h.journal.fills[0]?.refused).toMatch(/^foreign claim: the venue's trades never showed it/);
    expect(markets(h.L.sent)).toEqual([]);
    expect(markets(h.E.sent)).toEqual([]);
  });
});

describe('a hedge larger than any position the strategy builds is held for the trader', () => {
  it('a hedge refused a dozen times is never held: refused attempts explain nothing away, they add no unexplained exposure', async () => {
    const h = await quoting({ reconcileMs: 0 });
    // 13 buy legs of 0.033 provisioned and given back: worth more than MAX_POSITION_VALUE + ORDER_VALUE together.
    h.L.marketFailures = Array.from({ length: 12 }, () => new VenueOrderError('L', 'rejected', '21739 not enough margin', 21739));
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.settle(60_000);
    expect(markets(h.L.sent)).toHaveLength(13);
    expect(alarmKinds(h)).not.toContain('hedge_held');
    expect(inventory(h).net).toBe('0');
    expectExplained(h);
  });

  it('a correction of 20 ETH no fill explains is not hedged: alarmed, disarmed, sent only when the trader says hedge now', async () => {
    const h = harness({ reconcileMs: 1000 });
    await h.boot(E_RICH);
    await h.arm();
    // The venue's REST record says 20 ETH short on E that no fill of ours explains.
    h.E.position = { qty: d('-20'), avgEntry: d('3003') };
    await keepFresh(h, 4000);
    expect(h.engine.reconciler.stats.corrections).toBe(1);
    expect(markets(h.L.sent)).toEqual([]);
    expect(markets(h.E.sent)).toEqual([]);
    expect(alarmKinds(h)).toContain('hedge_held');
    expect(h.engine.snapshot().safety.armed).toBe(false);
    // No quoting while no hedge may go out.
    const arm = await h.host.command({ type: 'arm' });
    expect(arm).toMatchObject({ ok: false, error: { message: expect.stringContaining('hedging is held') } });
    await h.host.command({ type: 'hedgeUnhedged', confirm: true });
    expect(markets(h.E.sent).map((order) => [order.request.side, order.request.qty.toString()])).toEqual([['buy', '20']]);
  });

  it('the positions the trader started with are hedged at start-up, however large', async () => {
    const h = harness({ positions: { L: { qty: d('2'), avgEntry: d('3000') } } });
    await h.boot(FLAT);
    expect(markets(h.E.sent).map((order) => [order.request.side, order.request.qty.toString()])).toEqual([['sell', '2']]);
    expect(alarmKinds(h)).not.toContain('hedge_held');
  });
});

describe('reconciliation while the market trades', () => {
  it('a position difference that stays the same across reads is corrected, although fills arrive between the reads', async () => {
    const h = harness({ reconcileMs: 3000 });
    await h.boot(FLAT);
    // A fill the engine never heard of: the venue holds 0.02 more on E.
    h.E.position = { qty: d('0.02'), avgEntry: d('3000') };
    let side: 'buy' | 'sell' = 'buy';
    // A fill on E every 2.75 s: between any two reads (3 s apart) there is one.
    for (let cycle = 0; cycle < 14; cycle++) {
      await keepFresh(h, 2750, FLAT);
      await h.host.command({ type: 'manualHedge', venue: 'E', side, qty: '0.01', confirm: true, overrideLimits: true });
      side = side === 'buy' ? 'sell' : 'buy';
    }
    expect(h.engine.reconciler.stats.corrections).toBe(1);
    expect(inventory(h).invE).toBe(h.E.position.qty.toString());
    expect(alarmKinds(h)).toContain('exposure_leak');
  });
});

describe('adopted orders of an earlier run', () => {
  it('arming cancels them, and the venue confirms them gone, before the maker quotes: never two quotes', async () => {
    const h = harness({ startupOpenOrders: 'adopt' });
    h.E.restForeign({ clientId: '9', side: 'sell', price: d('3003.3'), qty: d('0.033') });
    await h.boot(E_RICH);
    await h.arm();
    await keepFresh(h, 1000);
    const actions = h.E.sent.map((order) => order.kind);
    expect(actions.indexOf('cancel')).toBeGreaterThanOrEqual(0);
    expect(actions.indexOf('cancel')).toBeLessThan(actions.indexOf('post_only'));
    expect(h.E.orders.has('9')).toBe(false);
    expect(h.E.orders.size).toBe(1);
  });
});

describe('TT hits and a dropped book', () => {
  it('hits from before a dropped book do not add to those after it: no TT on one qualifying update after the gap', async () => {
    const h = harness({ params: { enableTt: true, ttOnly: true, ttMinHits: 3 } });
    // TT_LE qualifies: bid on E above the ask on L by 0.1 %.
    const TT = { L: ['3000.00', '3000.10'] as [string, string], E: ['3003.4', '3003.7'] as [string, string] };
    await h.boot(FLAT);
    await h.arm();
    h.setE(...TT.E);
    h.setE(...TT.E);
    await h.settle(10);
    h.E.dropBook();
    await h.settle(10);
    h.setE(...TT.E);
    await h.settle(100);
    expect(markets(h.L.sent)).toEqual([]);
    expect(markets(h.E.sent)).toEqual([]);
  });
});

describe('fees', () => {
  it("a fill without the venue's fee is charged the configured rate, marked estimated; realised PnL is net of it", async () => {
    const fees = toFees({ L: { maker: '0', taker: '0.0003' }, E: { maker: '0', taker: '0.00025' } });
    const h = await quoting({ fees, reconcileMs: 0 });
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.hedgerIdle();
    const hedge = h.journal.fills.find((fill) => fill.venue === 'L')!;
    const expected = d(hedge.qty).times(hedge.price).times('0.0003');
    expect(hedge).toMatchObject({ fee: expected.toString(), feeEstimated: true });
    const makerFill = h.journal.fills.find((fill) => fill.venue === 'E')!;
    expect(makerFill).toMatchObject({ fee: '0', feeEstimated: true });
    expect(inventory(h).realisedPnl).toBe(expected.neg().toString());
  });
});

describe('manual orders', () => {
  it('a manual buy on E is hedged on L, never undone by a sell on E', async () => {
    const h = harness({ reconcileMs: 0 });
    await h.boot(FLAT);
    expect((await h.host.command({ type: 'manualHedge', venue: 'E', side: 'buy', qty: '0.02', confirm: true, overrideLimits: true })).ok).toBe(true);
    await h.hedgerIdle();
    expect(markets(h.E.sent).map((order) => [order.request.side, order.request.qty.toString()])).toEqual([['buy', '0.02']]);
    expect(markets(h.L.sent).map((order) => [order.request.side, order.request.qty.toString()])).toEqual([['sell', '0.02']]);
    expectExplained(h);
  });
});

describe('hedge_delayed', () => {
  it('a hedge the venue keeps refusing raises hedge_delayed naming the refusals; it clears once hedged', async () => {
    const h = await quoting({ params: { hedgeMaxRetries: 1000, hedgeRetryDelayMs: 100 }, reconcileMs: 0 });
    h.L.marketFailures = Array.from({ length: 8 }, () => new VenueOrderError('L', 'rejected', '21739 not enough margin', 21739));
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.settle(2600);
    const delayed = h.engine.snapshot().alarms.find((alarm) => alarm.kind === 'hedge_delayed');
    expect(delayed?.message).toContain('not enough margin');
    expect(delayed?.clearedAt).toBeNull();
    await h.settle(30_000);
    expect(inventory(h).net).toBe('0');
    expect(h.engine.snapshot().alarms.find((alarm) => alarm.kind === 'hedge_delayed')?.clearedAt).not.toBeNull();
  });
});

describe('a hedge whose answer is slow does not hold the next one', () => {
  it('exposure arriving while a hedge waits 4 s for its answer is hedged beside it within a second, and nothing twice', async () => {
    const h = await quoting({ reconcileMs: 0 });
    h.L.marketDelayMs = 4000;
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId, d('0.011'));
    await h.settle(1500);
    expect(markets(h.L.sent)).toHaveLength(1);
    h.E.fillResting(maker.clientId, d('0.011'));
    const secondFillAt = h.clock.now();
    await h.settle(300);
    // The second hedge left while the first still waited for its answer.
    const sent = markets(h.L.sent);
    expect(sent.map((order) => order.request.qty.toString())).toEqual(['0.011', '0.011']);
    expect(sent[1]!.at - secondFillAt).toBeLessThan(100);
    await h.settle(8000);
    expect(markets(h.L.sent)).toHaveLength(2);
    expect([inventory(h).invL, inventory(h).invE, inventory(h).net]).toEqual(['0.022', '-0.022', '0']);
    expectExplained(h);
  });
});

describe('REST failing for 30 s', () => {
  it('is an alarm naming the venue and the last error, raised once and cleared when REST answers again', async () => {
    const h = await quoting({ reconcileMs: 0 });
    h.L.restFailing = { sinceMs: h.clock.now(), lastError: 'VenueOrderError: L: network: account: fetch failed' };
    await keepFresh(h, 29_000);
    expect(alarmKinds(h)).not.toContain('disconnect');
    await keepFresh(h, 2000);
    const alarms = h.engine.snapshot().alarms.filter((alarm) => alarm.id.startsWith('rest:L'));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.message).toContain('L: every REST request has failed for 30 s (last: VenueOrderError: L: network: account: fetch failed)');
    h.L.restFailing = null;
    await keepFresh(h, 500);
    expect(h.engine.snapshot().alarms.find((alarm) => alarm.id.startsWith('rest:L'))?.clearedAt).not.toBeNull();
  });
});

describe('a kill flood', () => {
  it('90 kills in 3 s (a held Ctrl+K) are one sweep; the fill that lands meanwhile is hedged at once', async () => {
    // A venue as slow as a busy budget makes it: every request takes 150 ms.
    const h = await quoting({ latencyMs: 150, reconcileMs: 0 });
    await h.settle(400);
    const maker = [...h.E.orders.values()][0]!;
    expect(maker).toBeDefined();
    const kills: Array<Promise<unknown>> = [];
    let fillAt = 0;
    for (let i = 0; i < 90; i++) {
      kills.push(h.host.command({ type: 'kill' }));
      // The quote fills while the first kill's cancel-all is on its way.
      if (i === 0) {
        h.E.fillResting(maker.clientId);
        fillAt = h.clock.now();
      }
      await h.clock.advance(33);
    }
    await Promise.all(kills);
    // Kills while one runs join it (the host answers them with its result); kills after it find
    // nothing sent since: no request at all.
    const { sweepsJoined, sweepsSkipped } = h.engine.reconciler.stats;
    expect(h.host.killsJoined).toBeGreaterThan(0);
    expect(h.host.killsJoined + sweepsJoined + sweepsSkipped).toBe(89);
    expect(h.E.sent.filter((order) => order.kind === 'cancel_all').length).toBeLessThanOrEqual(2);
    const hedge = markets(h.L.sent)[0];
    expect(hedge && hedge.at - fillAt).toBeLessThan(100);
    expect(inventory(h).net).toBe('0');
  });
});

describe('STALE_BOOK_MS', () => {
  it('defaults to 1500 ms: a book frozen for 1.6 s stops quoting and cancels the quote', async () => {
    expect(defaultParams().staleBookMs).toBe(1500);
    const h = await quoting({ params: { staleBookMs: defaultParams().staleBookMs } });
    expect(h.E.orders.size).toBe(1);
    await h.settle(1700);
    expect(h.engine.blockedBy().join(' ')).toContain('book stale');
    expect(h.E.orders.size).toBe(0);
  });
});
