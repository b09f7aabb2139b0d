import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { SentOrder } from '../../src/main/sim/memoryVenue';
import { TelegramNotifier } from '../../src/main/integrations/telegram';
import { VenueOrderError } from '../../src/main/ports/venue';
import { d, E_RICH, harness, quoting } from '../helpers/engineHarness';

type MarketSent = Extract<SentOrder, { kind: 'market' }>;
const postOnlies = (sent: SentOrder[]) => sent.filter((order) => order.kind === 'post_only').length;
const markets = (sent: SentOrder[]) => sent.filter((order): order is MarketSent => order.kind === 'market');

describe('MakerBot execution', () => {
  it('sends nothing while disarmed, however the spreads look', async () => {
    const h = harness();
    await h.boot(E_RICH);
    for (let i = 0; i < 20; i++) {
      h.setE(...E_RICH.E);
      await h.settle(10);
    }
    expect(h.L.sent).toEqual([]);
    expect(h.E.sent).toEqual([]);
    expect(h.engine.maker.decisions).toBe(0);
  });

  it('armed: quotes post-only at the best price of its side, sized ORDER_VALUE / price rounded down to the step', async () => {
    const h = await quoting();
    expect(h.E.orders.size).toBe(1);
    const order = [...h.E.orders.values()][0]!;
    expect(order.side).toBe('sell');
    expect(order.price.toString()).toBe('3003.3');
    // 100 / 3003.3 = 0.03329... -> E step 0.001 -> 0.033
    expect(order.qty.toString()).toBe('0.033');
    const snapshot = h.engine.snapshot();
    expect(snapshot.liveOrder).toMatchObject({ venue: 'E', side: 'sell', price: '3003.3', combo: 'TM_LE', status: 'live' });
    expect(snapshot.inventory.currentDirection).toBe('TM_LE');
    expect(h.logs.makerLines.some((line) => line.includes('PLACE TM_LE E sell 0.033 @ 3003.3'))).toBe(true);
  });

  it('does not churn inside REPRICE_TICK, and cancels/replaces beyond it, never holding two orders', async () => {
    const h = await quoting({ params: { repriceTick: '0.0001' } });
    // 3003.4 vs 3003.3 is 0.0033%: left alone.
    h.setE('3003.0', '3003.4');
    await h.settle();
    expect(postOnlies(h.E.sent)).toBe(1);
    // 3004.0 vs 3003.3 is 0.023%: cancel and replace.
    h.setE('3003.7', '3004.0');
    await h.settle();
    expect(h.E.sent.map((order) => order.kind)).toEqual(['post_only', 'cancel', 'post_only']);
    expect(h.E.orders.size).toBe(1);
    expect([...h.E.orders.values()][0]!.price.toString()).toBe('3004');
  });

  it('cancels the live order when nothing qualifies and it drifted beyond REPRICE_TICK', async () => {
    const h = await quoting();
    h.setE('3000.0', '3000.3');
    h.setL('3000.00', '3000.10');
    await h.settle();
    expect(h.E.orders.size).toBe(0);
    expect(h.engine.snapshot().liveOrder).toBeNull();
    expect(h.engine.snapshot().lastDecision).toMatchObject({ action: 'CANCEL' });
  });

  it('does not send an order below the venue minimum', async () => {
    const h = await quoting({ params: { orderValue: '20' } });
    // 20 / 3003.3 = 0.0066 -> 0.006 < E min size 0.01: not sent, decision logged with the reason.
    expect(h.E.sent).toEqual([]);
    expect(h.engine.snapshot().lastDecision?.reason).toContain('not sent: size 0.006 below min size 0.01');
  });

  it('the kill switch disarms and cancels every order on both venues', async () => {
    const h = await quoting();
    const result = await h.host.command({ type: 'kill' });
    expect(result.ok).toBe(true);
    expect(h.E.orders.size).toBe(0);
    expect(h.L.sent.at(-1)?.kind).toBe('cancel_all');
    expect(h.E.sent.at(-1)?.kind).toBe('cancel_all');
    expect(h.engine.snapshot().safety.armed).toBe(false);
    h.setE(...E_RICH.E);
    await h.settle();
    expect(postOnlies(h.E.sent)).toBe(1);
  });

  it('a stale book stops quoting: the live order is cancelled and an alarm raised', async () => {
    const h = await quoting({ params: { staleBookMs: 2000 } });
    await h.clock.advance(2600);
    expect(h.E.orders.size).toBe(0);
    const snapshot = h.engine.snapshot();
    expect(snapshot.safety.effectiveQuoting).toBe(false);
    expect(snapshot.safety.blockedBy).toContain('L book stale');
    expect(snapshot.alarms.map((alarm) => alarm.kind)).toContain('stale_book');
  });

  it('a disconnect stops quoting and raises an alarm', async () => {
    const h = await quoting();
    h.L.setConnected(false, 'socket closed');
    await h.settle();
    expect(h.E.orders.size).toBe(0);
    expect(h.engine.snapshot().alarms.map((alarm) => alarm.kind)).toContain('disconnect');
  });

  it('an alarm whose condition ended is marked cleared with its time and stays until acknowledged; raised again, it is active again', async () => {
    const h = await quoting();
    const disconnects = () => h.engine.snapshot().alarms.filter((alarm) => alarm.kind === 'disconnect');
    h.L.setConnected(false, 'socket closed');
    await h.settle();
    expect(disconnects()[0]?.clearedAt).toBeNull();
    await h.clock.advance(260);
    h.L.setConnected(true, 'reconnected');
    const reconnectedAt = h.clock.now();
    await h.settle();
    expect(disconnects()).toHaveLength(1);
    expect(disconnects()[0]?.clearedAt).toBe(reconnectedAt);
    h.L.setConnected(false, 'socket closed again');
    await h.settle();
    expect(disconnects()).toHaveLength(1);
    expect(disconnects()[0]).toMatchObject({ clearedAt: null, message: 'L disconnected: socket closed again' });
  });

  it('a stale-book alarm is cleared when the book updates again', async () => {
    const h = await quoting({ params: { staleBookMs: 2000 } });
    await h.clock.advance(2600);
    const stale = () => h.engine.snapshot().alarms.find((alarm) => alarm.kind === 'stale_book');
    expect(stale()?.clearedAt).toBeNull();
    h.setL(...E_RICH.L);
    h.setE(...E_RICH.E);
    await h.clock.advance(1000);
    expect(stale()?.clearedAt).not.toBeNull();
    expect(stale()?.acknowledged).toBe(false);
  });

  it('TT: both legs as market orders at once, equal sizes on the coarser step', async () => {
    const h = harness({ params: { enableTt: true, ttMinHits: 2 } });
    await h.boot(E_RICH);
    await h.arm();
    h.setE(...E_RICH.E);
    await h.settle();
    h.setE(...E_RICH.E);
    await h.settle();
    const [buy] = markets(h.L.sent);
    const [sell] = markets(h.E.sent);
    expect(buy && buy.kind === 'market' && buy.request).toMatchObject({ side: 'buy' });
    expect(sell && sell.kind === 'market' && sell.request).toMatchObject({ side: 'sell' });
    if (buy?.kind !== 'market' || sell?.kind !== 'market') throw new Error('no TT legs');
    // 100 / 3000.10 = 0.03333 -> coarser step 0.001 -> 0.033 on both.
    expect(buy.request.qty.toString()).toBe('0.033');
    expect(sell.request.qty.toString()).toBe('0.033');
    // Worst prices: askL * 1.005 rounded to the tick, bidE * 0.995.
    expect(buy.request.worstPrice.toString()).toBe('3015.1');
    expect(sell.request.worstPrice.toString()).toBe('2988');
    expect(h.engine.state.inv.L.toString()).toBe('0.033');
    expect(h.engine.state.inv.E.toString()).toBe('-0.033');
    expect(h.engine.state.unhedged).toEqual({ L: d(0), E: d(0) });
  });

  it('TT: a leg that fills short leaves an imbalance that the hedge engine evens out', async () => {
    const h = harness({ params: { enableTt: true, ttMinHits: 1 } });
    await h.boot(E_RICH);
    h.E.marketFillRatio = d('0.5');
    await h.arm();
    h.setE(...E_RICH.E);
    await h.settle(200);
    // Bought 0.033 on L, sold 0.016 on E: +0.017 on L, hedged by selling on E (which fills half again).
    const sells = markets(h.E.sent).map((order) => (order.kind === 'market' ? order.request.qty.toString() : ''));
    expect(sells.slice(0, 2)).toEqual(['0.033', '0.017']);
    expect(h.engine.state.unhedged.L.abs().lt(d('0.01'))).toBe(true);
  });
});

describe('HedgeBot', () => {
  async function filledMaker(options: Parameters<typeof harness>[0] = {}) {
    const h = await quoting(options);
    const order = [...h.E.orders.values()][0]!;
    return { h, order };
  }

  it('hedges a maker fill at once with a market order on the other venue', async () => {
    const { h, order } = await filledMaker();
    h.E.fillResting(order.clientId);
    await h.settle();
    const hedge = markets(h.L.sent)[0];
    expect(hedge?.kind === 'market' && hedge.request).toMatchObject({ side: 'buy' });
    if (hedge?.kind !== 'market') throw new Error('no hedge');
    expect(hedge.request.qty.toString()).toBe('0.033');
    expect(h.engine.state.unhedged.E.toString()).toBe('0');
    expect(h.engine.state.inv.L.toString()).toBe('0.033');
    expect(h.engine.state.inv.E.toString()).toBe('-0.033');
    expect(h.journal.hedges[0]).toMatchObject({ fromVenue: 'E', venue: 'L', side: 'buy', requested: '0.033', filled: '0.033', attempt: 1 });
    expect(h.logs.hedgeLines[0]).toContain('hedge E->L buy 0.033');
  });

  it('accumulates fills below minHedgeQty and hedges once they reach it', async () => {
    const { h, order } = await filledMaker();
    expect(h.engine.state.minHedgeQty?.toString()).toBe('0.01');
    h.E.fillResting(order.clientId, d('0.005'));
    await h.settle();
    expect(markets(h.L.sent)).toHaveLength(0);
    expect(h.engine.snapshot().inventory.unhedgedE).toBe('-0.005');
    h.E.fillResting(order.clientId, d('0.006'));
    await h.settle();
    const hedge = markets(h.L.sent)[0];
    expect(hedge?.kind === 'market' && hedge.request.qty.toString()).toBe('0.011');
    expect(h.engine.state.unhedged.E.toString()).toBe('0');
  });

  it('counts a duplicated fill once', async () => {
    const { h, order } = await filledMaker();
    h.E.fillResting(order.clientId, undefined, { duplicate: true });
    await h.settle();
    expect(markets(h.L.sent)).toHaveLength(1);
    expect(h.engine.state.inv.E.toString()).toBe('-0.033');
    expect(h.engine.counters.duplicateFills).toBe(1);
  });

  it('subtracts the reported filled quantity, not the requested one, and retries the rest', async () => {
    const { h, order } = await filledMaker();
    h.L.marketFillRatio = d('0.5');
    h.E.fillResting(order.clientId);
    await h.settle();
    const asked = markets(h.L.sent).map((o) => (o.kind === 'market' ? o.request.qty.toString() : ''));
    // 0.033 -> 0.0165 filled; 0.0165 -> 0.0082 filled; 0.0083 left < 0.01: accumulating.
    expect(asked).toEqual(['0.033', '0.0165']);
    expect(h.engine.state.unhedged.E.toString()).toBe('-0.0083');
  });

  it('hedges a fill that lands after the cancel (the cancel/fill race), also while disarmed', async () => {
    const { h, order } = await filledMaker();
    await h.host.command({ type: 'kill' });
    expect(h.E.orders.size).toBe(0);
    h.E.lateFill(order.clientId, 'sell', d('0.02'), d('3003.3'));
    await h.settle();
    const hedge = markets(h.L.sent)[0];
    expect(hedge?.kind === 'market' && hedge.request.qty.toString()).toBe('0.02');
    expect(h.engine.state.unhedged.E.toString()).toBe('0');
  });

  it('a refused hedge backs off (doubling from the retry delay), then alarms, disarms and sends the Telegram message', async () => {
    const { h, order } = await filledMaker({ params: { hedgeMaxRetries: 4, hedgeRetryDelayMs: 100 } });
    h.L.marketFailures = Array.from({ length: 10 }, () => new VenueOrderError('L', 'rejected', 'margin check failed', 21_700));
    h.E.fillResting(order.clientId);
    await h.settle(2000);
    const attempts = markets(h.L.sent);
    expect(attempts).toHaveLength(4);
    expect(attempts.map((attempt) => attempt.at - attempts[0]!.at)).toEqual([0, 100, 300, 700]);
    const snapshot = h.engine.snapshot();
    expect(snapshot.alarms.map((alarm) => alarm.kind)).toContain('hedge_exhausted');
    expect(snapshot.safety.armed).toBe(false);
    expect(h.notices[0]).toContain('unhedged_E = -0.033');
    expect(snapshot.inventory.unhedgedE).toBe('-0.033');
    expect(h.journal.hedges.map((hedge) => hedge.error)).toEqual(Array(4).fill('L: rejected: margin check failed'));
  });

  it('the Telegram notifier posts to the configured API (a local server here)', async () => {
    const received: Array<{ url: string; body: unknown }> = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ url: request.url ?? '', body: JSON.parse(body) });
        response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const notifier = new TelegramNotifier({ apiUrl: `http://127.0.0.1:${port}`, botToken: '123:abc', chatId: '-42' });
    const { h, order } = await filledMaker({ notifier, params: { hedgeMaxRetries: 2, hedgeRetryDelayMs: 100 } });
    h.L.marketFailures = [new VenueOrderError('L', 'network', 'timeout'), 'zero_fill'];
    h.E.fillResting(order.clientId);
    await h.settle(500);
    // The request leaves on a real socket: wait for it by polling the server's record.
    for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    server.close();
    expect(received).toHaveLength(1);
    expect(received[0]?.url).toBe('/bot123:abc/sendMessage');
    expect(received[0]?.body).toMatchObject({ chat_id: '-42' });
    expect((received[0]?.body as { text: string }).text).toContain('LX Hedge ALARM');
  });

  it('hedges the current unhedged on demand, even below minHedgeQty', async () => {
    const { h, order } = await filledMaker();
    h.E.fillResting(order.clientId, d('0.005'));
    await h.settle();
    expect(markets(h.L.sent)).toHaveLength(0);
    const result = await h.host.command({ type: 'hedgeUnhedged', confirm: true });
    expect(result.ok).toBe(true);
    expect(h.engine.state.unhedged.E.toString()).toBe('0');
    expect(markets(h.L.sent)).toHaveLength(1);
  });
});

describe('orders in flight when quoting stops', () => {
  it('an order acknowledged after the kill switch is cancelled at once', async () => {
    const h = harness({ latencyMs: 20 });
    await h.boot(E_RICH);
    await h.arm();
    h.setE(...E_RICH.E);
    await h.clock.advance(5);
    // The post-only is on its way; the kill's cancel-all reaches the venue first.
    const killed = h.host.command({ type: 'kill' });
    await h.clock.advance(200);
    expect((await killed).ok).toBe(true);
    expect(h.E.orders.size).toBe(0);
    expect(h.E.sent.map((order) => order.kind)).toEqual(['post_only', 'cancel_all', 'cancel']);
  });
});

describe('manual commands', () => {
  async function hedgedPosition() {
    const h = await quoting();
    const order = [...h.E.orders.values()][0]!;
    h.E.fillResting(order.clientId);
    await h.settle();
    expect(h.engine.state.inv.L.toString()).toBe('0.033');
    expect(h.engine.state.inv.E.toString()).toBe('-0.033');
    return h;
  }

  it('flatten kills, then closes both legs with market orders', async () => {
    const h = await hedgedPosition();
    const result = await h.host.command({ type: 'flatten', confirm: true });
    expect(result.ok).toBe(true);
    expect(h.engine.state.armed).toBe(false);
    expect(h.engine.state.inv.L.toString()).toBe('0');
    expect(h.engine.state.inv.E.toString()).toBe('0');
    const last = (sent: SentOrder[]) => markets(sent).at(-1)?.request;
    expect([last(h.L.sent)?.side, last(h.L.sent)?.qty.toString()]).toEqual(['sell', '0.033']);
    expect([last(h.E.sent)?.side, last(h.E.sent)?.qty.toString()]).toEqual(['buy', '0.033']);
  });

  it('an incomplete flatten is refused and raises an alarm', async () => {
    const h = await hedgedPosition();
    h.E.marketFailures = [new VenueOrderError('E', 'rejected', 'reduce-only failed', 1136)];
    const result = await h.host.command({ type: 'flatten', confirm: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('still open E -0.033');
    expect(h.engine.snapshot().alarms.map((alarm) => alarm.kind)).toContain('exposure_leak');
    expect(h.engine.state.inv.L.toString()).toBe('0');
    expect(h.engine.state.inv.E.toString()).toBe('-0.033');
    // What could not be closed stays as exposure; the hedge engine is held (it would re-open L).
    expect(h.engine.state.unhedged.L.plus(h.engine.state.unhedged.E).toString()).toBe('-0.033');
    await h.settle(2000);
    expect(h.engine.state.inv.L.toString()).toBe('0');
  });

  it('a manual order goes through the exposure invariant: against unhedged it reduces it, beyond it the rest is unhedged', async () => {
    // The hedge venue fills nothing until the retries run out: -0.02 stays unhedged on E.
    const h = await quoting({ params: { hedgeMaxRetries: 3, hedgeRetryDelayMs: 100 } });
    h.L.marketFailures = Array.from({ length: 3 }, () => 'zero_fill' as const);
    const order = [...h.E.orders.values()][0]!;
    h.E.fillResting(order.clientId, d('0.02'));
    await h.hedgerIdle();
    expect(h.engine.state.unhedged.E.toString()).toBe('-0.02');
    const result = await h.host.command({ type: 'manualHedge', venue: 'L', side: 'buy', qty: '0.05', confirm: true, overrideLimits: true });
    expect(result.ok).toBe(true);
    expect(h.engine.state.inv.L.toString()).toBe('0.05');
    // unhedged_L + unhedged_E = net: 0.02 of the buy offsets the short, 0.03 is new exposure (netted onto L).
    expect(h.engine.state.unhedged.L.plus(h.engine.state.unhedged.E).toString()).toBe('0.03');
    expect(h.engine.state.inv.L.plus(h.engine.state.inv.E).toString()).toBe('0.03');
    expect(h.engine.exposure.gap().toString()).toBe('0');
  });

  it('TT_ONLY cannot be switched live; other parameters apply at once', async () => {
    const h = harness();
    const refused = await h.host.command({ type: 'setParams', params: { ttOnly: true } });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.field).toBe('params.ttOnly');
    expect((await h.host.command({ type: 'setParams', params: { orderValue: '250' } })).ok).toBe(true);
    expect(h.engine.snapshot().params.orderValue).toBe('250');
  });
});

describe('orders as the console lists them', () => {
  it('the open-orders table lists the quote with its latency; an id the engine is not working is refused', async () => {
    const h = await quoting({ latencyMs: 4 });
    const quote = [...h.E.orders.values()][0]!;
    expect(h.engine.snapshot().orders.open).toEqual([
      expect.objectContaining({ clientId: quote.clientId, venue: 'E', purpose: 'maker', side: 'sell', state: 'open', latencyMs: 4 })
    ]);
    // An id the engine is not working is refused, the field named.
    expect(await h.host.command({ type: 'cancelOrder', venue: 'E', clientId: '999999' })).toMatchObject({ ok: false, error: { field: 'clientId' } });
  });

  it('while armed, the trader cancels the live quote by its id: it goes, and the maker is free to quote again', async () => {
    const h = await quoting({ latencyMs: 4 });
    const quote = [...h.E.orders.values()][0]!;
    const cancel = h.host.command({ type: 'cancelOrder', venue: 'E', clientId: quote.clientId });
    await h.settle(20);
    expect(await cancel).toMatchObject({ ok: true });
    expect(h.E.orders.has(quote.clientId)).toBe(false);
    expect(h.engine.snapshot().orders.open.map((order) => order.clientId)).not.toContain(quote.clientId);
    expect(h.engine.snapshot().orders.recent.find((order) => order.clientId === quote.clientId)).toMatchObject({ finalStatus: 'cancelled', latencyMs: 4 });
  });

  it("a hedge's row carries its average price, latency and slippage; a market order cannot be cancelled", async () => {
    const h = await quoting({ latencyMs: 3 });
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.settle(1);
    const working = h.engine.snapshot().orders.open.find((order) => order.purpose === 'hedge');
    if (working) expect(await h.host.command({ type: 'cancelOrder', venue: working.venue, clientId: working.clientId })).toMatchObject({ ok: false });
    await h.hedgerIdle();
    const hedge = h.engine.snapshot().orders.recent.find((order) => order.purpose === 'hedge')!;
    expect(hedge).toMatchObject({ venue: 'L', side: 'buy', finalStatus: 'filled', legOn: 'E', latencyMs: 3 });
    expect(hedge.avgPrice).not.toBeNull();
    // Bought at the ask it saw: no slippage in the in-memory book.
    expect(hedge.slippage).toBe('0');
  });
});

describe('position cards', () => {
  it("show size, entry, live mark and PnL from the books, and the venue's margin, liquidation and funding, kept through a failed read", async () => {
    const h = harness();
    let reads = 0;
    let fail = false;
    h.L.accountView = async () => {
      reads += 1;
      if (fail) throw new Error('HTTP 503');
      return {
        markPrice: null,
        unrealisedPnl: d('0.1'),
        marginUsed: d('15'),
        available: d('985'),
        equity: d('1000'),
        liquidationPrice: d('2700'),
        fundingRate: d('0.0000125'),
        fundingAccrued: d('0.02')
      };
    };
    await h.boot(E_RICH);
    await h.settle(10);
    expect(reads).toBe(1);
    // Flat: nothing to liquidate or fund, the account figures still shown.
    expect(h.engine.snapshot().positions.L).toMatchObject({
      qty: '0',
      entry: null,
      liquidationPrice: null,
      marginUsed: '15',
      fundingRatePercentPerHour: '0.00125'
    });
    // A manual buy of 0.1 on L at the ask (3000.10).
    const bought = h.host.command({ type: 'manualHedge', venue: 'L', side: 'buy', qty: '0.1', confirm: true, overrideLimits: true });
    await h.settle(10);
    expect((await bought).ok).toBe(true);
    await h.hedgerIdle();
    const card = h.engine.snapshot().positions.L;
    expect(card).toMatchObject({ qty: '0.1', entry: '3000.1', mark: '3000.05', liquidationPrice: '2700', fundingAccrued: '0.02' });
    // qty x (mark - entry) = 0.1 x -0.05
    expect(card.unrealisedPnl).toBe('-0.005');
    // |3000.05 - 2700| / 3000.05 = 10.0%
    expect(card.liquidationDistancePercent).toBe('10');
    // A long pays a positive rate: 0.0000125 x 24 x 0.1 x 3000.05
    expect(card.fundingPerDay).toBe('0.09');
    // E has no account view: its card has what the engine knows.
    expect(h.engine.snapshot().positions.E).toMatchObject({ marginUsed: null, liquidationPrice: null, asOf: null });
    // The fill moved the figures: read again within 15 s, not at the 30 s period.
    await h.clock.advance(15_000);
    await h.settle(10);
    expect(reads).toBe(2);
    // A failed read keeps the last figures and says why.
    const asOf = h.engine.snapshot().positions.L.asOf;
    fail = true;
    await h.clock.advance(30_000);
    await h.settle(10);
    expect(reads).toBe(3);
    expect(h.engine.snapshot().positions.L).toMatchObject({ liquidationPrice: '2700', asOf, error: 'HTTP 503' });
  });
});
