import Decimal from 'decimal.js';
import type { EngineEvent } from '../../src/shared/contract';
import { defaultParams, type StrategyParams } from '../../src/shared/params';
import { SIM_MARKETS } from './simulatedMarket';
import { ManualClock } from '../../src/main/kernel/clock';
import { MemoryVenue } from '../../src/main/sim/memoryVenue';
import { toFees, type Fees } from '../../src/main/engine/params';
import { MemoryJournal, MemoryLogs } from '../../src/main/ports/records';
import { StrategyEngine } from '../../src/main/engine/strategyEngine';
import type { Notifier } from '../../src/main/ports/notifier';
import type { Position } from '../../src/main/ports/venue';
import { EngineHost } from '../../src/main/host/engineHost';

export const d = (value: string | number) => new Decimal(value);

export const ZERO_FEES = toFees({ L: { maker: '0', taker: '0' }, E: { maker: '0', taker: '0' } });

export interface HarnessOptions {
  params?: Partial<StrategyParams>;
  positions?: { L?: Position; E?: Position };
  seedOn?: 'L' | 'E';
  latencyMs?: number;
  notifier?: Notifier;
  mode?: 'DEMO' | 'TESTNET' | 'MAINNET';
  /** The configured fee schedule (none by default). */
  fees?: Fees;
  startupOpenOrders?: 'cancel' | 'adopt';
  /** RECONCILE_MS (the engine's default when absent). */
  reconcileMs?: number;
}

/** Levels around a top: 5 levels a side, `size` each, one tick apart. */
export function ladder(bid: string, ask: string, tick: string, size = '10'): { bids: Array<[string, string]>; asks: Array<[string, string]> } {
  const bids: Array<[string, string]> = [];
  const asks: Array<[string, string]> = [];
  for (let i = 0; i < 5; i++) {
    bids.push([d(bid).minus(d(tick).times(i)).toString(), size]);
    asks.push([d(ask).plus(d(tick).times(i)).toString(), size]);
  }
  return { bids, asks };
}

export function harness(options: HarnessOptions = {}) {
  const clock = new ManualClock();
  const L = new MemoryVenue({ id: 'L', clock, latencyMs: options.latencyMs, position: options.positions?.L, ...SIM_MARKETS.L });
  const E = new MemoryVenue({ id: 'E', clock, latencyMs: options.latencyMs, position: options.positions?.E, ...SIM_MARKETS.E });
  const logs = new MemoryLogs();
  const journal = new MemoryJournal();
  const notices: string[] = [];
  const notifier: Notifier = options.notifier ?? { notify: async (text) => (notices.push(text), { ok: true, detail: 'recorded' }) };
  const engine = new StrategyEngine({
    clock,
    mode: options.mode ?? 'DEMO',
    // Books here are set by hand, far less often than a venue updates them: a book goes stale only
    // where a test says so.
    params: { ...defaultParams(), staleBookMs: 5000, ...options.params },
    fees: options.fees ?? ZERO_FEES,
    venues: { L, E },
    logs,
    journal,
    notifier,
    seedUnhedgedOn: options.seedOn ?? 'L',
    firstClientId: 1,
    startupOpenOrders: options.startupOpenOrders,
    reconcileMs: options.reconcileMs
  });
  const host = new EngineHost(engine, { clock });
  const events: EngineEvent[] = [];
  host.tapEvents((event) => events.push(event));

  const setL = (bid: string, ask: string, size?: string) => {
    const { bids, asks } = ladder(bid, ask, '0.01', size);
    L.setBook(bids, asks);
  };
  const setE = (bid: string, ask: string, size?: string) => {
    const { bids, asks } = ladder(bid, ask, '0.1', size);
    E.setBook(bids, asks);
  };

  return {
    clock,
    L,
    E,
    engine,
    host,
    logs,
    journal,
    events,
    notices,
    setL,
    setE,
    /** Starts the engine with both books set and waits for start-up to finish. */
    async boot(books: { L: [string, string]; E: [string, string] } = { L: ['3000.00', '3000.10'], E: ['3000.0', '3000.3'] }) {
      await host.start();
      setL(...books.L);
      setE(...books.E);
      await clock.advance(0);
      // Start-up waits on simulated time (retries, the second read of open orders): time runs until it is done.
      let done = false;
      void engine.startupDone.then(() => (done = true));
      for (let i = 0; i < 200 && !done; i++) await clock.advance(250);
      await engine.startupDone;
    },
    async arm() {
      const result = await host.command({ type: 'arm' });
      if (!result.ok) throw new Error(result.error.message);
    },
    /** Lets pending async work (order round trips, hedges) run for `ms` of simulated time. */
    settle: (ms = 50) => clock.advance(ms),
    /** Runs simulated time until no hedge is being worked. */
    async hedgerIdle() {
      for (let i = 0; i < 10_000 && !(engine.hedger?.idle() ?? true); i++) await clock.advance(100);
    }
  };
}

/** Books where E is rich: TM_LE (sell E maker at askE 3003.3) is the best entry; its fill is hedged on L. */
export const E_RICH = { L: ['3000.00', '3000.10'] as [string, string], E: ['3003.0', '3003.3'] as [string, string] };

/** Started on E_RICH books, armed, and quoting the TM_LE sell on E. */
export async function quoting(options: HarnessOptions = {}) {
  const h = harness(options);
  await h.boot(E_RICH);
  await h.arm();
  h.setE(...E_RICH.E);
  await h.settle();
  return h;
}
