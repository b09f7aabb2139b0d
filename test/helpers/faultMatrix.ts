/**
 * The fault matrix: for each venue and each fault the emulators can inject, the whole bot (engine,
 * real adapters, emulators on loopback) recovers or raises the alarm strategy.md asks for, and in
 * every case: no fill is lost (the journal's fills equal the emulators' record), the net exposure is
 * back under minHedgeQty once hedges settle, and no quote was sent while disarmed or on a stale book.
 */
import Decimal from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmKind, VenueId } from '../../src/shared/contract';
import { DEMO_LIGHTER, startEmulators, type Emulators } from '../../src/main/emulator/emulators';
import type { FaultSettings } from '../../src/main/emulator/faults';
import { liveEngine } from './liveStack';
import { waitFor } from './waitFor';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Scenario {
  /** What to do to the venue, once the bot is quoting. */
  inject(emulators: Emulators, venue: VenueId): void;
  /** What to do after the injection, through the running bot (a kill flood, another client's tx). */
  act?(context: { emulators: Emulators; venue: VenueId; live: Awaited<ReturnType<typeof liveEngine>>; arm(): Promise<void>; disarmed(): void }): Promise<void>;
  /** A variant of one venue only. */
  only?: VenueId;
  /** How long the alarm may take (it may need a maker fill on this venue first). */
  alarmWithinMs?: number;
  /** Undo it (some faults are one-shot and need nothing). */
  clear?(emulators: Emulators, venue: VenueId): void;
  /** The alarm strategy.md asks for, if any. */
  alarm?: AlarmKind;
  /** How long the fault stays on. */
  holdMs?: number;
  /** Faults set before start-up instead of while quoting. */
  beforeStart?: Partial<FaultSettings>;
  params?: Record<string, unknown>;
  /** A quote-freeze window in which no post-only may be created (stale book). */
  staleWindow?: boolean;
}

const set = (patch: Partial<FaultSettings>) => (emulators: Emulators, venue: VenueId) => void emulators.faults[venue].set(patch);

const SCENARIOS: Record<string, Scenario> = {
  'book stream dropped': { inject: (e, v) => e.faults[v].drop('book'), alarm: 'disconnect' },
  'account stream dropped': { inject: (e, v) => e.faults[v].drop('account'), alarm: 'disconnect' },
  'sequence gap': { inject: set({ skipSequence: 2 }) },
  'duplicate fills': { inject: set({ duplicateFills: true }), clear: set({ duplicateFills: false }), holdMs: 2500 },
  'reordered fills': { inject: set({ reorderFills: true }), clear: set({ reorderFills: false }), holdMs: 2500 },
  'order rejects': { inject: set({ rejectOrders: 3 }), holdMs: 1500 },
  '429 rate limits': { inject: set({ rateLimit: 3 }), holdMs: 1500 },
  'stale feed': { inject: set({ staleFeed: true }), clear: set({ staleFeed: false }), alarm: 'stale_book', holdMs: 2500, staleWindow: true },
  'fill during cancel': { inject: set({ fillDuringCancel: true }), clear: set({ fillDuringCancel: false }), holdMs: 2500 },
  'REST errors during start-up': { inject: () => undefined, beforeStart: { restErrors: 2 } },
  // Venue truth (strategy.md "Order and exposure truth"): outcomes the engine cannot see directly.
  'lost acks (executed, connection closed before the answer)': { inject: set({ lostAcks: 3 }), holdMs: 3000 },
  'acks delayed past the adapter timeout': { inject: set({ ackDelayMs: 11_000 }), clear: set({ ackDelayMs: 0 }), holdMs: 2500 },
  'fills while the account stream is down (REST only)': {
    inject: (e, v) => {
      e.faults[v].set({ accountDownMs: 2500 });
      e.faults[v].drop('account');
    },
    alarm: 'disconnect',
    holdMs: 3000
  },
  'orders of an earlier run resting at start-up': { inject: () => undefined, beforeStart: { earlierRunOrders: 2 } },
  // Venue truth, round two (the venues' own code): the variants the real venues produce.
  'the REST record lags the stream, with lost acks': {
    inject: set({ restRecordDelayMs: 2500, lostAcks: 2 }),
    clear: set({ restRecordDelayMs: 0 }),
    holdMs: 4000
  },
  'an IOC that executes 4 s after it was sent': { inject: set({ takerDelayMs: 4000 }), clear: set({ takerDelayMs: 0 }), holdMs: 6000 },
  'a part-fill after a lost answer': { inject: set({ lostAcks: 2, takerPartial: 2 }), holdMs: 4000 },
  'a fill frame beyond its order size (forged)': {
    inject: set({ overfill: 1 }),
    // The forged frame rides on a maker trade of this venue: one of our quotes there is filled, not
    // waited for (the emulated market may fill the other venue's for a long while).
    act: async ({ emulators, venue }) => {
      const exchange = emulators.market.exchanges[venue];
      await waitFor(
        () => [...exchange.orders.values()].some((order) => order.tif === 'post_only' && !order.meta.earlierRun),
        'a quote of ours resting',
        20_000
      );
      const quote = [...exchange.orders.values()].find((order) => order.tif === 'post_only' && !order.meta.earlierRun);
      if (quote) exchange.fillResting(quote.clientId);
    },
    alarm: 'bad_fill',
    alarmWithinMs: 20_000
  },
  'a kill flood during a fill': {
    inject: set({ fillDuringCancel: true }),
    act: async ({ live, arm, disarmed }) => {
      // A held Ctrl+K: 90 kills in 3 s while the quote fills under the cancel.
      const kills: Array<Promise<unknown>> = [];
      for (let i = 0; i < 90; i++) {
        kills.push(live.host.command({ type: 'kill' }));
        if (i === 0) disarmed();
        await new Promise((resolve) => setTimeout(resolve, 33));
      }
      await Promise.all(kills);
      await arm();
    },
    clear: set({ fillDuringCancel: false })
  },
  'Extended shape variants (ids as strings, DELTA without c, positions of other markets, final frames without filledQty)': {
    only: 'E',
    inject: set({ idsAsStrings: true, deltaWithoutC: true, foreignPositions: true, finalWithoutFilledQty: true }),
    clear: set({ idsAsStrings: false, deltaWithoutC: false, foreignPositions: false, finalWithoutFilledQty: false }),
    holdMs: 4000
  },
  'a TP/SL order of the web app (price null)': { only: 'E', inject: set({ tpslOrder: true }), alarm: 'foreign_activity' },
  'HTML error pages and HTTP 200 with status ERROR': { only: 'E', inject: set({ htmlErrors: 3, ok200Errors: 3 }), holdMs: 2000 },
  'cancels of orders already gone refused with another code': {
    only: 'E',
    inject: set({ cancelGoneAsRejection: true }),
    clear: set({ cancelGoneAsRejection: false }),
    holdMs: 3000
  },
  'flat update lists and id-less tx refusals': {
    only: 'L',
    inject: set({ flatLists: true, idlessTxErrors: true, rejectOrders: 2 }),
    clear: set({ flatLists: false, idlessTxErrors: false }),
    holdMs: 3000
  },
  'a trade of another market of the account': { only: 'L', inject: set({ foreignTrade: true }), alarm: 'foreign_activity' },
  'invalid nonce as a plain 400 after another client took a nonce': {
    only: 'L',
    inject: set({ nonceErrorAs400: true }),
    act: async ({ emulators }) => {
      const nonce = emulators.lighter.nonceOf(DEMO_LIGHTER.apiKeyIndex) as number;
      const info = {
        AccountIndex: DEMO_LIGHTER.accountIndex,
        ApiKeyIndex: DEMO_LIGHTER.apiKeyIndex,
        TimeInForce: 0,
        Time: 0,
        ExpiredAt: Date.now() + 600_000,
        Nonce: nonce,
        Sig: Buffer.alloc(80, 3).toString('base64')
      };
      await fetch(`${emulators.lighter.url}/api/v1/sendTx`, { method: 'POST', body: new URLSearchParams({ tx_type: '16', tx_info: JSON.stringify(info) }) });
      await new Promise((resolve) => setTimeout(resolve, 3000));
    },
    clear: set({ nonceErrorAs400: false })
  },
  'account subscriptions refused': {
    only: 'L',
    inject: (e, v) => {
      e.faults[v].set({ refuseSubscriptions: 2 });
      e.faults[v].drop('account');
    },
    alarm: 'disconnect',
    holdMs: 3000
  },
  'hedge rejected until retries run out': {
    inject: () => undefined,
    alarm: 'hedge_exhausted',
    params: { hedgeMaxRetries: 4, hedgeRetryDelayMs: 50 }
  }
};

async function runScenario(venue: VenueId, name: string, scenario: Scenario) {
  const emulators = await startEmulators({ seed: 20 + name.length, speed: 5 });
  cleanups.push(() => emulators.stop());
  if (scenario.beforeStart) emulators.faults[venue].set(scenario.beforeStart);
  const notices: string[] = [];
  const live = await liveEngine(emulators, {
    params: scenario.params,
    notifier: { notify: async (text) => (notices.push(text), { ok: true, detail: 'test' }) }
  });
  cleanups.push(() => live.host.stop());
  const armedWindows: Array<{ from: number; to: number }> = [];
  const alarms: AlarmKind[] = [];
  live.host.tapEvents((event) => {
    if (event.type === 'alarm') alarms.push(event.alarm.kind);
  });
  await live.host.start();
  await waitFor(() => live.engine.state.hedgeSeeded, `${name}: start-up`, 20_000);
  const arm = async () => {
    await live.host.command({ type: 'arm' });
    armedWindows.push({ from: Date.now(), to: Number.POSITIVE_INFINITY });
  };
  const disarmedAt = () => {
    const open = armedWindows.at(-1);
    if (open && open.to === Number.POSITIVE_INFINITY) open.to = Date.now();
  };
  if (scenario.beforeStart?.earlierRunOrders) {
    // Start-up cancelled the earlier run's orders and saw them gone before it let the maker run.
    const earlier = [...emulators.market.exchanges.L.record.orders, ...emulators.market.exchanges.E.record.orders].filter((o) => o.meta.earlierRun);
    expect(earlier.length).toBeGreaterThan(0);
    expect(
      earlier.every((o) => o.state !== 'open'),
      `${name}: earlier-run orders gone before arming`
    ).toBe(true);
  }
  await arm();
  // Generous: the emulated market fills our quotes at random, and CI runs the suite on two busy cores.
  await waitFor(() => live.engine.counters.makerFills >= 1, `${name}: a first maker fill`, 40_000);

  // The hedge venue is the other one: make it refuse every order for the exhaustion case.
  if (name === 'hedge rejected until retries run out') {
    const other: VenueId = venue === 'L' ? 'E' : 'L';
    emulators.faults[other].set({ rejectTakerOrders: 100_000 });
    // The maker quotes on both venues and only a fill on `venue` is hedged on `other`; fills on
    // `other` are hedged on `venue` and succeed. So wait as long as a maker fill may take.
    await waitFor(() => alarms.includes('hedge_exhausted'), `${name}: the alarm`, 40_000);
    disarmedAt();
    expect(live.engine.state.armed).toBe(false);
    expect(notices[0]).toContain('LX Hedge ALARM');
    emulators.faults[other].set({ rejectTakerOrders: 0 });
    // The trader hedges what is left by hand once the venue takes orders again.
    expect((await live.host.command({ type: 'hedgeUnhedged', confirm: true })).ok).toBe(true);
  } else {
    const staleFrom = Date.now();
    scenario.inject(emulators, venue);
    await scenario.act?.({ emulators, venue, live, arm, disarmed: disarmedAt });
    if (scenario.alarm)
      await waitFor(() => alarms.includes(scenario.alarm as AlarmKind), `${name}: the ${scenario.alarm} alarm`, scenario.alarmWithinMs ?? 10_000);
    await new Promise((resolve) => setTimeout(resolve, scenario.holdMs ?? 800));
    scenario.clear?.(emulators, venue);
    const staleTo = Date.now();
    if (scenario.staleWindow) {
      // No quote on the stale venue from the moment the book was stale (plus the time it takes to tell).
      const staleBookMs = 2000;
      const quotes = emulators.market.exchanges[venue].record.orders.filter(
        (o) => o.tif === 'post_only' && o.createdAt > staleFrom + staleBookMs + 300 && o.createdAt < staleTo
      );
      expect(quotes, `${name}: quotes on a stale book`).toEqual([]);
    }
    // It recovers: quoting again.
    await waitFor(() => live.engine.snapshot().safety.effectiveQuoting, `${name}: quoting again`, 15_000);
  }

  const kill = await live.host.command({ type: 'kill' });
  disarmedAt();
  expect(kill.ok, `${name}: kill completes`).toBe(true);
  // A completed kill leaves no order of ours resting on either venue.
  expect(emulators.market.exchanges.L.orders.size + emulators.market.exchanges.E.orders.size, `${name}: orders resting after the kill`).toBe(0);
  await live.engine.hedger?.settled();
  // Orders of unknown outcome are settled by the venues' record.
  await waitFor(
    () => live.engine.registry.unsettled().every((order) => order.purpose === 'maker' && order.cancelAccepted) || live.engine.registry.size === 0,
    `${name}: every order settled`,
    15_000
  );
  // Trades of an earlier run's orders happen before start-up's baseline: inside the positions, not journaled.
  const earlierRun = (v: VenueId) => new Set(emulators.market.exchanges[v].record.orders.filter((o) => o.meta.earlierRun).map((o) => o.clientId));
  const ours = (v: VenueId) => emulators.market.exchanges[v].record.trades.filter((trade) => !earlierRun(v).has(trade.clientId)).length;
  const trades = () => ours('L') + ours('E');
  // No fill lost: every trade the venues made for us is in the journal, once (a forged frame is kept there refused, not counted).
  const counted = () => live.journal.history(1).totals.fills;
  await waitFor(() => counted() === trades(), `${name}: journal fills (${counted()}) = venue trades (${trades()})`, 15_000);
  await waitFor(() => live.engine.hedger?.idle() ?? true, `${name}: hedges settled`);
  const threshold = live.engine.state.minHedgeQty ?? new Decimal(0);
  const net = live.engine.state.inv.L.plus(live.engine.state.inv.E);
  expect(net.abs().lt(threshold), `${name}: net ${net} under minHedgeQty ${threshold}`).toBe(true);
  // The engine's inventory is the venues' own.
  await waitFor(
    () => live.engine.state.inv.L.eq(emulators.market.exchanges.L.position.qty) && live.engine.state.inv.E.eq(emulators.market.exchanges.E.position.qty),
    `${name}: inventory equals the venues'`
  );
  // The exposure invariant held throughout: no leak was ever found, and none is left.
  expect(live.engine.exposure.leaks, `${name}: exposure leaks`).toBe(0);
  expect(live.engine.exposure.gap().toString(), `${name}: unhedged_L + unhedged_E = net - legs in flight`).toBe('0');
  // A reconcile finds the engine's positions equal to the venues'.
  await live.engine.reconciler.reconcile('fault matrix');
  expect(live.engine.reconciler.stats.corrections, `${name}: positions corrected by reconciliation`).toBe(0);
  // No quote while disarmed (a 100 ms grace for one already on its way).
  for (const v of ['L', 'E'] as const) {
    for (const order of emulators.market.exchanges[v].record.orders.filter((o) => o.tif === 'post_only' && !o.meta.earlierRun)) {
      const inside = armedWindows.some((window) => order.createdAt >= window.from && order.createdAt <= window.to + 100);
      expect(inside, `${name}: post-only ${order.clientId} on ${v} at ${order.createdAt} outside armed windows ${JSON.stringify(armedWindows)}`).toBe(true);
    }
  }
}

/** The matrix of one venue (a test file per venue, so that the two run side by side). */
export function faultMatrix(venue: VenueId): void {
  describe(`fault matrix on ${venue === 'L' ? 'Lighter' : 'Extended'}`, () => {
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      if (scenario.only && scenario.only !== venue) continue;
      it(name, () => runScenario(venue, name, scenario), 120_000);
    }
  });
}
