import { describe, expect, it } from 'vitest';
import type { EngineEvent, StartupStep } from '../../src/shared/contract';
import { defaultParams } from '../../src/shared/params';
import { ManualClock } from '../../src/main/kernel/clock';
import { SimulatedMarket } from '../helpers/simulatedMarket';
import { MemoryJournal, MemoryLogs } from '../../src/main/ports/records';
import { StrategyEngine } from '../../src/main/engine/strategyEngine';
import { noNotifier } from '../../src/main/ports/notifier';
import { EngineHost } from '../../src/main/host/engineHost';
import { d, harness, ZERO_FEES } from '../helpers/engineHarness';

const startupSteps = (events: EngineEvent[]) =>
  events.filter((event): event is Extract<EngineEvent, { type: 'startup' }> => event.type === 'startup').map((event) => event.step);

describe('start-up runner', () => {
  it('runs the seven steps in order, seeds unhedged from the net position and hedges it', async () => {
    // Long 0.5 on L, short 0.3 on E: net +0.2, seeded on L, hedged by selling 0.2 on E.
    const h = harness({ positions: { L: { qty: d('0.5'), avgEntry: d('3000') }, E: { qty: d('-0.3'), avgEntry: d('3005') } } });
    await h.boot();
    const steps = startupSteps(h.events);
    const finished = steps.filter((step: StartupStep) => step.status === 'done').map((step) => step.id);
    expect(finished).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Each step ran before the next one finished.
    const order = steps.map((step) => step.id);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(steps.find((step) => step.id === 5 && step.status === 'done')?.detail).toContain('seeded unhedged_L = 0.2');
    const hedge = h.E.sent.find((order) => order.kind === 'market');
    expect(hedge?.kind === 'market' && [hedge.request.side, hedge.request.qty.toString()]).toEqual(['sell', '0.2']);
    expect(h.engine.state.inv.E.toString()).toBe('-0.5');
    expect(h.engine.state.unhedged.L.toString()).toBe('0');
    expect(h.engine.state.hedgeSeeded).toBe(true);
  });

  it('seeds on E when configured, so the hedge goes to L', async () => {
    const h = harness({ seedOn: 'E', positions: { L: { qty: d('0.5'), avgEntry: d('3000') } } });
    await h.boot();
    const hedge = h.L.sent.find((order) => order.kind === 'market');
    expect(hedge?.kind === 'market' && [hedge.request.side, hedge.request.qty.toString()]).toEqual(['sell', '0.5']);
  });

  it('stops with an alarm when positions cannot be loaded, and never quotes', async () => {
    const h = harness();
    h.L.positionFailures = 100;
    await h.host.start();
    h.setL('3000.00', '3000.10');
    h.setE('3003.0', '3003.3');
    await h.clock.advance(60_000);
    await h.engine.startupDone;
    const snapshot = h.engine.snapshot();
    expect(snapshot.startup[4]?.status).toBe('failed');
    expect(snapshot.hedgeSeeded).toBe(false);
    expect(snapshot.alarms.map((alarm) => alarm.kind)).toContain('startup_failed');
    await h.arm();
    h.setE('3003.0', '3003.3');
    await h.settle();
    expect(h.E.sent).toEqual([]);
    expect(snapshot.safety.effectiveQuoting).toBe(false);
  });

  it('recovers from a transient REST error during start-up', async () => {
    const h = harness();
    h.E.positionFailures = 2;
    await h.host.start();
    h.setL('3000.00', '3000.10');
    h.setE('3000.0', '3000.3');
    await h.clock.advance(10_000);
    await h.engine.startupDone;
    expect(h.engine.state.hedgeSeeded).toBe(true);
    expect(startupSteps(h.events).some((step) => step.id === 5 && step.detail?.includes('retrying'))).toBe(true);
  });

  it('TT-only: no hedge engine, hedge_seeded at once', async () => {
    const h = harness({ params: { ttOnly: true, enableTt: true } });
    await h.boot();
    expect(h.engine.hedger).toBeNull();
    expect(h.engine.snapshot().startup.map((step) => step.status)).toEqual(['done', 'done', 'done', 'skipped', 'done', 'skipped', 'done']);
  });
});

describe('a whole armed run in simulated time', () => {
  it('quotes, gets filled, hedges every maker fill and ends with unhedged under minHedgeQty', async () => {
    const clock = new ManualClock();
    const market = new SimulatedMarket({ clock, seed: 7, updatesPerSecond: 10 });
    const journal = new MemoryJournal();
    const engine = new StrategyEngine({
      clock,
      mode: 'DEMO',
      params: { ...defaultParams(), minSpread: '0.02', maxPositionValue: '100000' },
      fees: ZERO_FEES,
      venues: market.venues,
      logs: new MemoryLogs(),
      journal,
      notifier: noNotifier,
      seedUnhedgedOn: 'L',
      firstClientId: 1
    });
    const host = new EngineHost(engine, { clock });
    await host.start();
    market.start();
    await clock.advance(2000);
    await engine.startupDone;
    expect(engine.state.hedgeSeeded).toBe(true);
    // Disarmed for a while: nothing sent.
    await clock.advance(5000);
    expect(market.venues.L.sent.length + market.venues.E.sent.length).toBe(0);

    await host.command({ type: 'arm' });
    let worstNet = d(0);
    for (let second = 0; second < 120; second++) {
      await clock.advance(1000);
      const net = engine.state.inv.L.plus(engine.state.inv.E).abs();
      if (net.gt(worstNet)) worstNet = net;
    }
    // Venue calls take simulated time here: let the clock run while the kill completes.
    const killed = host.command({ type: 'kill' });
    await clock.advance(2000);
    expect((await killed).ok).toBe(true);
    await engine.hedger?.settled();

    const makerFills = market.venues.L.fillsReported.concat(market.venues.E.fillsReported).filter((fill) => fill.maker);
    expect(makerFills.length).toBeGreaterThan(3);
    expect(engine.hedger?.hedgesSent).toBeGreaterThan(0);
    const minHedgeQty = engine.state.minHedgeQty ?? d(0);
    expect(engine.state.unhedged.L.abs().lt(minHedgeQty)).toBe(true);
    expect(engine.state.unhedged.E.abs().lt(minHedgeQty)).toBe(true);
    // Net exposure equals what is still unhedged: every hedged fill is matched on the other venue.
    expect(engine.state.inv.L.plus(engine.state.inv.E).toString()).toBe(engine.state.unhedged.L.plus(engine.state.unhedged.E).toString());
    // No fill lost: the journal holds every fill each venue reported, once.
    const reported = market.venues.L.fillsReported.length + market.venues.E.fillsReported.length;
    expect(journal.fills).toHaveLength(reported);
    // The engine's inventory equals each venue's own position.
    expect(engine.state.inv.L.toString()).toBe(market.venues.L.position.qty.toString());
    expect(engine.state.inv.E.toString()).toBe(market.venues.E.position.qty.toString());
    await host.stop();
  });
});
