/**
 * strategy.md "Order and exposure truth", scenario by scenario: each case is one the engine got
 * wrong before the order registry (reproduced on the earlier main), driven here through the
 * in-memory venues in simulated time.
 */
import { describe, expect, it } from 'vitest';
import type { SentOrder } from '../../src/main/sim/memoryVenue';
import { VenueOrderError } from '../../src/main/ports/venue';
import { d, E_RICH, harness, quoting } from '../helpers/engineHarness';
import { FLATTEN_LEG_WAIT_MS } from '../../src/main/engine/manualTrading';

// Books where nothing qualifies.
const FLAT = { L: ['3000.00', '3000.10'] as [string, string], E: ['3000.0', '3000.3'] as [string, string] };

type MarketSent = Extract<SentOrder, { kind: 'market' }>;
const markets = (sent: SentOrder[]) => sent.filter((order): order is MarketSent => order.kind === 'market');
const postOnlies = (sent: SentOrder[]) => sent.filter((order) => order.kind === 'post_only');

/** The invariant the console shows: unhedged_L + unhedged_E = net + legs in flight, and no leak found on the way. */
function expectExposureExplained(h: ReturnType<typeof harness>) {
  expect(h.engine.exposure.gap().toString()).toBe('0');
  expect(h.engine.exposure.leaks).toBe(0);
}

describe('an order whose answer was lost is unknown, never failed', () => {
  it('a hedge IOC that executed but lost its reply is settled from the venue record, not sent again', async () => {
    const h = await quoting();
    h.L.lostAnswers = 1;
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.settle(10_000);
    // One hedge, not two: the lost one was looked up (filled) instead of being re-sent.
    expect(markets(h.L.sent)).toHaveLength(1);
    expect(h.engine.state.inv.L.toString()).toBe('0.033');
    expect(h.engine.state.inv.E.toString()).toBe('-0.033');
    expect(h.engine.state.unhedged.L.plus(h.engine.state.unhedged.E).toString()).toBe('0');
    expect(h.engine.registry.unsettled().filter((order) => order.purpose === 'hedge')).toEqual([]);
    expect(h.engine.reconciler.stats.lookups).toBeGreaterThan(0);
    expectExposureExplained(h);
  });

  it('a hedge whose outcome stays unknown keeps counting at its size, alarms after the deadline, and is never re-sent', async () => {
    const h = await quoting();
    h.L.lostAnswers = 1;
    h.L.queryFailure = new VenueOrderError('L', 'network', 'venue record unreachable');
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.settle(20_000);
    expect(markets(h.L.sent)).toHaveLength(1);
    expect(h.engine.snapshot().alarms.map((alarm) => alarm.kind)).toContain('order_unknown');
    expect(h.engine.registry.unsettled().filter((order) => order.purpose === 'hedge' && order.state === 'unknown')).toHaveLength(1);
    expectExposureExplained(h);
    // Once the record can be read, it settles and nothing more is sent.
    h.L.queryFailure = null;
    await h.settle(3000);
    expect(h.engine.registry.unsettled().filter((order) => order.purpose === 'hedge')).toEqual([]);
    expect(markets(h.L.sent)).toHaveLength(1);
    expectExposureExplained(h);
  });

  it('a TT leg whose reply was lost is not taken for an imbalance (no hedge that creates exposure)', async () => {
    const h = harness({ params: { enableTt: true, ttMinHits: 1 } });
    await h.boot(E_RICH);
    h.E.lostAnswers = 1;
    await h.arm();
    h.setE(...E_RICH.E);
    await h.settle(10_000);
    // The TT pair went out once; no hedge followed, since both legs filled.
    expect(markets(h.L.sent).map((order) => order.request.side)).toEqual(['buy']);
    expect(markets(h.E.sent).map((order) => order.request.side)).toEqual(['sell']);
    expect(h.engine.state.inv.L.plus(h.engine.state.inv.E).toString()).toBe('0');
    expect(h.engine.hedger?.hedgesSent).toBe(0);
    expectExposureExplained(h);
  });

  it('a post-only whose ack was lost is kept: no second quote until the venue says how it ended', async () => {
    const h = harness();
    await h.boot(E_RICH);
    h.E.lostAnswers = 1;
    await h.arm();
    for (let i = 0; i < 20; i++) {
      h.setE(...E_RICH.E);
      await h.settle(100);
    }
    expect(postOnlies(h.E.sent)).toHaveLength(1);
    expect(h.E.orders.size).toBe(1);
    // The look-up found it resting: it is the live order again.
    expect(h.engine.snapshot().liveOrder).toMatchObject({ status: 'live', venue: 'E' });
  });

  it('a cancel refused for another reason than "no such order" keeps the order: never two quotes', async () => {
    const h = await quoting({ params: { repriceTick: '0.0001' } });
    h.E.cancelFailure = new VenueOrderError('E', 'rejected', 'cancel refused: market in maintenance', 1006);
    for (let i = 0; i < 5; i++) {
      h.setE('3003.7', `${3004 + i}.0`);
      await h.settle(100);
    }
    expect(h.E.orders.size).toBe(1);
    expect(postOnlies(h.E.sent)).toHaveLength(1);
    expect(h.engine.snapshot().alarms.map((alarm) => alarm.kind)).toContain('order_rejected');
    h.E.cancelFailure = null;
    h.setE('3003.7', '3005.0');
    await h.settle(100);
    expect(h.E.orders.size).toBe(1);
    expect([...h.E.orders.values()][0]!.price.toString()).toBe('3005');
  });
});

describe('kill sweeps until the venues list nothing', () => {
  it('a post-only the venue accepts after the cancel-all is swept too, and re-arming cannot cut the sweep short', async () => {
    const h = harness({ latencyMs: 20 });
    await h.boot(E_RICH);
    h.E.placeDelayMs = 700;
    await h.arm();
    h.setE(...E_RICH.E);
    await h.clock.advance(5);
    const killed = h.host.command({ type: 'kill' });
    // The trader re-arms at once: quoting stays off while the sweep runs.
    await h.clock.advance(100);
    await h.arm();
    expect(h.engine.blockedBy()).toContain('kill sweep in progress');
    await h.clock.advance(3000);
    expect((await killed).ok).toBe(true);
    const first = postOnlies(h.E.sent)[0]!;
    expect(first.kind === 'post_only' && h.E.orders.has(first.request.clientId)).toBe(false);
    expect(h.E.sent.filter((order) => order.kind === 'cancel_all').length).toBeGreaterThanOrEqual(2);
    // Never more than the maker's one quote resting once it quotes again.
    expect(h.E.orders.size).toBeLessThanOrEqual(1);
  });

  it('a kill that cannot see the venues empty says so, alarms, and goes on sweeping', async () => {
    const h = await quoting();
    h.E.cancelFailure = new VenueOrderError('E', 'network', 'venue unreachable');
    const killed = h.host.command({ type: 'kill' });
    await h.clock.advance(11_000);
    const result = await killed;
    expect(result.ok).toBe(false);
    expect(h.engine.snapshot().alarms.map((alarm) => alarm.kind)).toContain('kill_incomplete');
    h.E.cancelFailure = null;
    await h.clock.advance(5000);
    expect(h.E.orders.size).toBe(0);
    expect(h.engine.reconciler.sweeping).toBe(false);
  });
});

describe('start-up reconciliation', () => {
  it('a fill streamed between the streams starting and the REST positions is counted once (in the positions)', async () => {
    const h = harness({ latencyMs: 50 });
    await h.host.start();
    h.setL(...FLAT.L);
    h.setE(...FLAT.E);
    // An order of ours fills while start-up runs: the venue's position moves, and the fill streams.
    h.L.restForeign({ clientId: '77', side: 'buy', price: d('3000.00'), qty: d('0.05') });
    await h.clock.advance(10);
    h.L.fillResting('77');
    await h.clock.advance(5000);
    await h.engine.startupDone;
    expect(h.engine.state.inv.L.toString()).toBe('0.05');
    // One hedge for the net 0.05 (the seed), not a second one for the fill as well.
    await h.hedgerIdle();
    expect(markets(h.E.sent).map((order) => order.request.qty.toString())).toEqual(['0.05']);
    expect(h.engine.state.inv.E.toString()).toBe('-0.05');
    expectExposureExplained(h);
  });

  it('a fill landing between the REST snapshot and its answer is not overwritten: positions are read again', async () => {
    const h = harness({ latencyMs: 50 });
    h.L.positionReadEarly = true;
    h.L.restForeign({ clientId: '78', side: 'buy', price: d('3000.00'), qty: d('0.05') });
    h.L.queryFailure = null;
    await h.host.start();
    h.setL(...FLAT.L);
    h.setE(...FLAT.E);
    // Start-up adopts nothing here: the earlier order is cancelled unless it filled first.
    h.L.fillResting('78');
    await h.clock.advance(5000);
    await h.engine.startupDone;
    expect(h.engine.state.inv.L.toString()).toBe(h.L.position.qty.toString());
  });

  it('orders of an earlier run are cancelled and confirmed gone before the maker may run', async () => {
    const h = harness();
    h.E.restForeign({ clientId: 'old-1', side: 'sell', price: d('3010.0'), qty: d('0.02') });
    h.L.restForeign({ clientId: '66', side: 'buy', price: d('2990.00'), qty: d('0.02') });
    await h.boot(FLAT);
    expect(h.L.orders.size + h.E.orders.size).toBe(0);
    expect(h.engine.snapshot().startup[4]?.detail).toContain('cancelled 2 open order(s) of an earlier run');
  });

  it('orders still being placed at start-up are another live engine: start-up refused with an alarm, nothing cancelled', async () => {
    const h = harness();
    h.E.restForeign({ clientId: 'other-1', side: 'sell', price: d('3010.0'), qty: d('0.02') });
    const booting = h.boot(FLAT);
    // The other engine requotes while this one looks: a new order within the check.
    await h.clock.advance(500);
    h.E.restForeign({ clientId: 'other-2', side: 'sell', price: d('3010.1'), qty: d('0.02') });
    await booting;
    const snapshot = h.engine.snapshot();
    expect(snapshot.startup[4]).toMatchObject({ status: 'failed' });
    expect(snapshot.startup[4]?.detail).toContain('another process is placing orders on this account');
    expect(snapshot.alarms.map((alarm) => alarm.kind)).toContain('startup_failed');
    expect(h.E.sent.filter((order) => order.kind === 'cancel_all' || order.kind === 'cancel')).toEqual([]);
    expect(h.E.orders.size).toBe(2);
    expect((await h.host.command({ type: 'arm' })).ok).toBe(false);
  });

  it('STARTUP_OPEN_ORDERS=adopt keeps them resting and hedges their fills; arming cancels them', async () => {
    const h = harness();
    (h.engine as unknown as { options: { startupOpenOrders: string } }).options.startupOpenOrders = 'adopt';
    h.E.restForeign({ clientId: 'old-2', side: 'sell', price: d('3010.0'), qty: d('0.02') });
    await h.boot(FLAT);
    expect(h.E.orders.size).toBe(1);
    h.E.fillResting('old-2');
    await h.settle(200);
    expect(markets(h.L.sent).map((order) => [order.request.side, order.request.qty.toString()])).toEqual([['buy', '0.02']]);
    h.E.restForeign({ clientId: 'old-3', side: 'sell', price: d('3010.0'), qty: d('0.02') });
    h.engine.registry.track({ clientId: 'old-3', venue: 'E', purpose: 'adopted', side: 'sell', qty: d('0.02'), price: d('3010'), state: 'open' });
    await h.arm();
    await h.settle(1000);
    expect(h.E.orders.has('old-3')).toBe(false);
    expectExposureExplained(h);
  });
});

describe('flatten, exhaustion and manual orders', () => {
  it('flatten while a hedge is in flight ends flat on both venues (no naked leg)', async () => {
    const h = await quoting({ latencyMs: 30 });
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.clock.advance(5);
    // The hedge buy on L is on its way.
    expect(h.engine.hedger?.idle()).toBe(false);
    const result = h.host.command({ type: 'flatten', confirm: true });
    await h.clock.advance(5000);
    expect((await result).ok).toBe(true);
    expect(h.engine.state.inv.L.toString()).toBe('0');
    expect(h.engine.state.inv.E.toString()).toBe('0');
    expect(h.L.position.qty.toString()).toBe('0');
    expect(h.E.position.qty.toString()).toBe('0');
    expect(h.engine.state.unhedged.L.plus(h.engine.state.unhedged.E).toString()).toBe('0');
    expectExposureExplained(h);
  });

  it('flatten with a leg of unknown outcome cancels the quotes, waits a bounded time, and refuses to trade on a guess', async () => {
    const h = await quoting();
    h.L.lostAnswers = 1;
    h.L.queryFailure = new VenueOrderError('L', 'network', 'venue record unreachable');
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.settle(200);
    expect(markets(h.L.sent)).toHaveLength(1);
    const result = h.host.command({ type: 'flatten', confirm: true });
    await h.clock.advance(1000);
    // Disarmed and the quotes gone at once, not after the wait.
    expect(h.engine.state.armed).toBe(false);
    expect(h.E.orders.size + h.L.orders.size).toBe(0);
    await h.clock.advance(FLATTEN_LEG_WAIT_MS);
    const answer = await result;
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.error.message).toContain('not settled after 10 s');
    // No flatten order was sent while the hedge may still execute.
    expect(markets(h.L.sent)).toHaveLength(1);
    expect(markets(h.E.sent)).toHaveLength(0);
    const alarm = h.engine.snapshot().alarms.find((candidate) => candidate.kind === 'exposure_leak');
    expect(alarm?.message).toContain('in flight not settled');
    expect(alarm?.actions?.[0]?.label).toBe('Flatten again');
    expect(alarm?.actions?.map((action) => action.command)).toEqual(['flatten', 'hedgeUnhedged']);
    // The timed-out wait left nothing behind: the leg settles later without waking a stale waiter.
    h.L.queryFailure = null;
    await h.settle(3000);
    expect(h.engine.registry.unsettled().filter((order) => order.purpose === 'hedge')).toEqual([]);
    expectExposureExplained(h);
  });

  it('flatten trades nothing while the kill sweep cannot see the venues empty, and a second flatten meanwhile is refused', async () => {
    const h = await quoting();
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.settle(200);
    await h.hedgerIdle();
    const marketsBefore = markets(h.L.sent).length + markets(h.E.sent).length;
    h.E.cancelFailure = new VenueOrderError('E', 'network', 'venue unreachable');
    const first = h.host.command({ type: 'flatten', confirm: true });
    await h.clock.advance(100);
    // One at a time.
    const second = await h.host.command({ type: 'flatten', confirm: true });
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error.message).toContain('already running');
    await h.clock.advance(11_000);
    const answer = await first;
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.error.message).toContain('kill sweep did not complete');
    expect(markets(h.L.sent).length + markets(h.E.sent).length).toBe(marketsBefore);
    expect(h.engine.snapshot().alarms.find((alarm) => alarm.kind === 'exposure_leak')?.actions?.[0]?.label).toBe('Flatten again');
    h.E.cancelFailure = null;
    await h.clock.advance(5000);
  });

  it('the trader cannot cancel a quote the venue has not confirmed resting (a cancel overtaking its create would free the slot)', async () => {
    const h = harness({ latencyMs: 40 });
    await h.boot(E_RICH);
    await h.arm();
    // The first quote is on its way (40 ms to the venue and back).
    h.setE(...E_RICH.E);
    await h.clock.advance(5);
    const placing = h.engine.snapshot().orders.open.find((order) => order.state === 'pending');
    expect(placing).toBeDefined();
    const refused = await h.host.command({ type: 'cancelOrder', venue: placing!.venue, clientId: placing!.clientId });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toContain('not resting');
    await h.settle(200);
    expect(h.E.orders.size).toBe(1);
  });

  it('a bounded wait for settlement resolves false on time and leaves no waiter behind', async () => {
    const h = await quoting({ latencyMs: 50 });
    h.L.lostAnswers = 1;
    h.L.queryFailure = new VenueOrderError('L', 'network', 'venue record unreachable');
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.settle(200);
    const leg = h.engine.registry.unsettled().find((order) => order.purpose === 'hedge')!;
    const waited = h.engine.registry.whenSettledWithin(leg, 500, h.clock);
    await h.clock.advance(600);
    expect(await waited).toBe(false);
    expect((h.engine.registry as unknown as { waiters: Map<string, unknown[]> }).waiters.size).toBe(0);
    h.L.queryFailure = null;
    await h.settle(3000);
    expect(await h.engine.registry.whenSettledWithin(leg, 500, h.clock)).toBe(true);
  });

  it('hedge exhaustion latches: one alarm, one message, no new round on book updates until the trader acts', async () => {
    const h = await quoting({ params: { hedgeMaxRetries: 3, hedgeRetryDelayMs: 100 } });
    h.L.marketFailures = Array.from({ length: 1000 }, () => new VenueOrderError('L', 'rejected', 'margin check failed', 21_700));
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.settle(1000);
    expect(markets(h.L.sent)).toHaveLength(3);
    for (let i = 0; i < 100; i++) {
      h.setL(...E_RICH.L);
      await h.settle(100);
    }
    expect(markets(h.L.sent)).toHaveLength(3);
    expect(h.notices).toHaveLength(1);
    // The trader acknowledges: automatic rounds start again.
    h.L.marketFailures = [];
    const alarm = h.engine.snapshot().alarms.find((candidate) => candidate.kind === 'hedge_exhausted')!;
    expect((await h.host.command({ type: 'ackAlarm', id: alarm.id })).ok).toBe(true);
    await h.settle(500);
    expect(markets(h.L.sent)).toHaveLength(4);
    expect(h.engine.state.unhedged.E.toString()).toBe('0');
  });

  it('a manual order that adds exposure needs an override, and its fills reach unhedged (the hedge engine hedges them)', async () => {
    const h = harness();
    await h.boot(FLAT);
    const refused = await h.host.command({ type: 'manualHedge', venue: 'L', side: 'buy', qty: '0.5', confirm: true });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.message).toContain('MAX_POSITION_VALUE');
    expect(h.L.sent).toEqual([]);
    const sent = await h.host.command({ type: 'manualHedge', venue: 'L', side: 'buy', qty: '0.5', confirm: true, overrideLimits: true });
    expect(sent.ok).toBe(true);
    await h.hedgerIdle();
    expect(h.engine.state.inv.L.toString()).toBe('0.5');
    expect(markets(h.E.sent).map((order) => [order.request.side, order.request.qty.toString()])).toEqual([['sell', '0.5']]);
    expect(h.engine.state.inv.E.toString()).toBe('-0.5');
    expectExposureExplained(h);
  });
});

describe('reconciliation while running', () => {
  it('a position that differs from the venue on two reads with no fill between is corrected, alarmed and hedged', async () => {
    const h = harness();
    (h.engine.reconciler as unknown as { options: { reconcileMs: number } }).options.reconcileMs = 1000;
    await h.boot(FLAT);
    // A fill the engine never heard of (lost by the stream): the venue's position is the record.
    h.L.position = { qty: d('0.05'), avgEntry: d('3000') };
    await h.settle(3500);
    expect(h.engine.state.inv.L.toString()).toBe('0.05');
    expect(h.engine.reconciler.stats.corrections).toBe(1);
    expect(h.engine.snapshot().alarms.map((alarm) => alarm.kind)).toContain('exposure_leak');
    await h.hedgerIdle();
    expect(markets(h.E.sent).map((order) => order.request.qty.toString())).toEqual(['0.05']);
  });

  it('an open order the engine does not track is cancelled', async () => {
    const h = harness();
    (h.engine.reconciler as unknown as { options: { reconcileMs: number } }).options.reconcileMs = 1000;
    await h.boot(FLAT);
    h.E.restForeign({ clientId: 'stray-1', side: 'buy', price: d('2990.0'), qty: d('0.02') });
    await h.settle(2500);
    expect(h.E.orders.size).toBe(0);
  });
});

describe('a venue that refuses every order', () => {
  it('is backed off and, after 10 refusals in a row, disarms with an alarm (not 2,000 orders a minute)', async () => {
    const h = harness();
    await h.boot(E_RICH);
    h.E.postOnlyFailure = new VenueOrderError('E', 'rejected', 'Order cost exceeds balance', 1140);
    await h.arm();
    for (let i = 0; i < 1300; i++) {
      h.setL(...E_RICH.L);
      h.setE(...E_RICH.E);
      await h.settle(100);
    }
    // Backed off 0.5 s doubling to 30 s: 10 refusals take about 2 minutes, then the engine disarms.
    expect(postOnlies(h.E.sent)).toHaveLength(10);
    expect(h.engine.state.armed).toBe(false);
    expect(h.engine.snapshot().alarms.some((alarm) => alarm.message.includes('refused 10 post-only orders in a row'))).toBe(true);
  });
});
