/**
 * Unattended runs (`npm run headless -- --demo --arm --duration S`): arm once start-up is done,
 * run for S seconds, kill, let the hedges settle, and report one JSON line of what happened.
 */
import Decimal from 'decimal.js';
import type { App } from '../app';
import type { Clock } from '../kernel/clock';
import { sleep } from '../kernel/clock';

export interface RunSummary {
  durationSeconds: number;
  mode: string;
  bookUpdates: number;
  decisions: number;
  ordersSent: number;
  makerFills: number;
  fills: number;
  hedges: number;
  hedgeFailures: number;
  alarms: number;
  alarmKinds: string[];
  invL: string;
  invE: string;
  unhedgedL: string;
  unhedgedE: string;
  minHedgeQty: string | null;
  /** The largest |invL + invE| sampled while no hedge was being worked. */
  maxSettledNet: string;
  realisedPnl: string;
  startupOk: boolean;
}

export async function runUnattended(app: App, clock: Clock, options: { arm: boolean; durationSeconds: number }): Promise<RunSummary> {
  const { engine, host } = app;
  const alarmKinds: string[] = [];
  host.tapEvents((event) => {
    if (event.type === 'alarm') alarmKinds.push(event.alarm.kind);
  });
  const deadline = clock.now() + options.durationSeconds * 1000;
  let maxSettledNet = new Decimal(0);
  let armed = false;
  while (clock.now() < deadline) {
    if (options.arm && !armed && engine.state.hedgeSeeded) {
      await host.command({ type: 'arm' });
      armed = true;
    }
    if (engine.hedger?.idle() ?? true) {
      const net = engine.state.inv.L.plus(engine.state.inv.E).abs();
      if (net.gt(maxSettledNet)) maxSettledNet = net;
    }
    await sleep(clock, 100);
  }
  await host.command({ type: 'kill' });
  // Let the last hedges finish (a fill of a just-cancelled order is hedged too).
  const settleBy = clock.now() + 10_000;
  while (clock.now() < settleBy && !(engine.hedger?.idle() ?? true)) await sleep(clock, 50);
  await sleep(clock, 300);
  await engine.hedger?.settled();
  const s = engine.state;
  return {
    durationSeconds: options.durationSeconds,
    mode: app.config.mode,
    bookUpdates: engine.counters.bookUpdates,
    decisions: engine.maker.decisions,
    ordersSent: engine.maker.ordersSent + (engine.hedger?.hedgesSent ?? 0),
    makerFills: engine.counters.makerFills,
    fills: engine.counters.fills,
    hedges: engine.hedger?.hedgesSent ?? 0,
    hedgeFailures: engine.hedger?.failures ?? 0,
    alarms: alarmKinds.length,
    alarmKinds: [...new Set(alarmKinds)],
    invL: s.inv.L.toString(),
    invE: s.inv.E.toString(),
    unhedgedL: s.unhedged.L.toString(),
    unhedgedE: s.unhedged.E.toString(),
    minHedgeQty: s.minHedgeQty?.toString() ?? null,
    maxSettledNet: maxSettledNet.toString(),
    realisedPnl: s.realised.L.plus(s.realised.E).toString(),
    startupOk: s.hedgeSeeded
  };
}
