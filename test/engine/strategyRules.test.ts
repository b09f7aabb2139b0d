/**
 * strategy.md "Decisions" and "Hedge engine" as a trader reads them, scenario by scenario: each
 * case is one the engine read differently before (reproduced on the earlier main).
 */
import { describe, expect, it } from 'vitest';
import type { SentOrder } from '../../src/main/sim/memoryVenue';
import type { MarketInfo } from '../../src/main/ports/venue';
import { d, E_RICH, harness } from '../helpers/engineHarness';

type MarketSent = Extract<SentOrder, { kind: 'market' }>;
type PostOnlySent = Extract<SentOrder, { kind: 'post_only' }>;
const markets = (sent: SentOrder[]) => sent.filter((order): order is MarketSent => order.kind === 'market');
const postOnlies = (sent: SentOrder[]) => sent.filter((order): order is PostOnlySent => order.kind === 'post_only');

const L_RICH = { L: ['3003.00', '3003.30'] as [string, string], E: ['3000.0', '3000.1'] as [string, string] };
const FLAT = { L: ['3000.00', '3000.10'] as [string, string], E: ['3000.0', '3000.3'] as [string, string] };

/** Replaces a venue's market constraints for one test (the shared SIM_MARKETS objects stay untouched). */
function setMarket(venue: { market: MarketInfo }, patch: Partial<MarketInfo>) {
  (venue as { market: MarketInfo }).market = { ...venue.market, ...patch };
}

describe('TT hits: every book update counts, a non-qualifying one resets, disarming resets', () => {
  it('two hits, a kill, non-qualifying updates, a re-arm and one qualifying update do not fire a TT', async () => {
    const h = harness({ params: { enableTt: true, ttOnly: true, ttMinHits: 3, minSpread: '0.05' } });
    await h.boot(FLAT);
    await h.arm();
    h.setE(...E_RICH.E);
    h.setE(...E_RICH.E);
    await h.settle();
    expect(h.engine.maker.memory.ttHits['entry:TT_LE']).toBe(2);
    expect((await h.host.command({ type: 'kill' })).ok).toBe(true);
    expect(h.engine.maker.memory.ttHits['entry:TT_LE']).toBe(0);
    for (let i = 0; i < 200; i++) h.setE(...FLAT.E);
    await h.arm();
    h.setE(...E_RICH.E);
    await h.settle();
    expect(markets(h.L.sent)).toEqual([]);
    expect(h.engine.maker.memory.ttHits['entry:TT_LE']).toBe(1);
  });

  it('good, bad (while an order operation is in flight), good, good does not fire with TT_MIN_HITS 3', async () => {
    const h = harness({ latencyMs: 50, params: { enableTt: true, ttMinHits: 3, minSpread: '0.05' } });
    await h.boot(FLAT);
    await h.arm();
    h.setE(...E_RICH.E); // good: 1 hit; the maker quotes TM_LE (busy for 50 ms)
    await h.clock.advance(5);
    h.setE(...FLAT.E); // bad, while the placement is in flight: resets
    await h.clock.advance(100);
    h.setE(...E_RICH.E); // good: 1
    await h.clock.advance(5);
    h.setE(...E_RICH.E); // good: 2
    await h.clock.advance(100);
    expect(markets(h.L.sent)).toEqual([]);
    expect(markets(h.E.sent)).toEqual([]);
  });
});

describe('exits never flip a position', () => {
  it('a TT exit cancels the resting maker exit first; once flat no exit rests', async () => {
    const h = harness({
      params: { enableTt: true, ttMinHits: 3, minSpread: '5', spreadTp: '0.02' },
      positions: { L: { qty: d('0.033'), avgEntry: d('3000') }, E: { qty: d('-0.033'), avgEntry: d('3003') } }
    });
    await h.boot(FLAT);
    await h.arm();
    // INV 0.1%: the maker exit MT_EL (buy E at bidE) rests at once, the TT exit fires on the third update.
    for (let i = 0; i < 5; i++) {
      h.setE(...FLAT.E);
      await h.settle(50);
    }
    expect(postOnlies(h.E.sent).length).toBeGreaterThanOrEqual(1);
    expect(markets(h.E.sent).map((order) => order.request.side)).toEqual(['buy']);
    expect(h.engine.state.inv.L.toString()).toBe('0');
    expect(h.engine.state.inv.E.toString()).toBe('0');
    expect(h.E.orders.size).toBe(0);
    for (let i = 0; i < 20; i++) {
      h.setE(...FLAT.E);
      await h.settle(50);
    }
    expect(h.E.orders.size + h.L.orders.size).toBe(0);
  });

  it('the maker exit is capped by both legs, not only the maker venue (unequal legs)', async () => {
    const h = harness({
      params: { orderValue: '1000', minSpread: '5', spreadTp: '0.02' },
      positions: { L: { qty: d('0.054'), avgEntry: d('3000') }, E: { qty: d('-0.05'), avgEntry: d('3003') } }
    });
    await h.boot(FLAT);
    await h.arm();
    h.setE(...FLAT.E);
    await h.settle();
    const exit = postOnlies([...h.L.sent, ...h.E.sent])[0];
    expect(exit?.request.qty.toString()).toBe('0.05');
  });
});

describe('dust yields no decision and blocks no entry', () => {
  it('an LE position of 0.003/-0.003 in a market with a 0.1% EL spread: no repeated decisions, an entry is quoted', async () => {
    const h = harness({
      params: { minSpread: '0.05', spreadTp: '0.02' },
      positions: { L: { qty: d('0.003'), avgEntry: d('3000') }, E: { qty: d('-0.003'), avgEntry: d('3000') } }
    });
    await h.boot(L_RICH);
    await h.arm();
    for (let i = 0; i < 200; i++) {
      h.setE(...L_RICH.E);
      await h.settle(5);
    }
    expect(h.engine.snapshot().inventory.dust).toContain('dust');
    expect(h.logs.makerLines.filter((line) => line.includes('not sent'))).toEqual([]);
    // The EL entry is quoted with its full size.
    expect(postOnlies([...h.L.sent, ...h.E.sent]).length).toBe(1);
    expect(h.journal.decisions.length).toBeLessThanOrEqual(2);
  });

  it('a repeated unsendable decision is written once, then summarised with its count and span', async () => {
    const h = harness({ params: { orderValue: '20' } });
    await h.boot(E_RICH);
    await h.arm();
    for (let i = 0; i < 200; i++) {
      h.setE(...E_RICH.E);
      await h.settle(10);
    }
    expect(h.logs.makerLines.filter((line) => line.includes('not sent'))).toHaveLength(1);
    expect(h.journal.decisions).toHaveLength(1);
    h.setE(...FLAT.E);
    await h.settle();
    const summary = h.logs.makerLines.find((line) => line.includes('repeated'));
    expect(summary).toMatch(/repeated 20\d times over \d+\.\d s/);
    expect(h.journal.decisions).toHaveLength(2);
  });
});

describe('hedging rules', () => {
  it('a hedge that rounds below the hedge venue min value keeps accumulating: no refused order, no exhaustion', async () => {
    const h = harness({ params: { hedgeMaxRetries: 3, hedgeRetryDelayMs: 100 } });
    setMarket(h.E, { minSize: d('0.001'), minValue: d('18'), sizeStep: d('0.005') });
    await h.boot(L_RICH);
    await h.arm();
    h.setE(...L_RICH.E);
    await h.settle();
    // The maker sells on L (TM_EL); a partial fill of 0.0065 rounds to 0.005 on E: 15 USD < 18.
    const maker = [...h.L.orders.values()][0]!;
    h.L.fillResting(maker.clientId, d('0.0065'));
    await h.settle(2000);
    expect(markets(h.E.sent)).toEqual([]);
    expect(h.engine.snapshot().alarms.map((alarm) => alarm.kind)).not.toContain('hedge_exhausted');
    expect(h.engine.state.unhedged.L.toString()).toBe('-0.0065');
    h.L.fillResting(maker.clientId, d('0.0065'));
    await h.settle(500);
    expect(markets(h.E.sent).map((order) => [order.request.side, order.request.qty.toString()])).toEqual([['buy', '0.01']]);
    expect(h.engine.state.unhedged.L.toString()).toBe('-0.003');
  });

  it('opposite-sign unhedged amounts are netted: one hedge for the difference', async () => {
    const h = harness({ params: { hedgeMaxRetries: 2, hedgeRetryDelayMs: 100 } });
    await h.boot(E_RICH);
    await h.arm();
    h.setE(...E_RICH.E);
    await h.settle();
    // Sold 0.033 on E; its hedge (a buy on L) fills nothing until the retries run out.
    h.L.marketFailures = ['zero_fill', 'zero_fill'];
    const maker = [...h.E.orders.values()][0]!;
    h.E.fillResting(maker.clientId);
    await h.settle(1000);
    expect(h.engine.state.unhedged.E.toString()).toBe('-0.033');
    // The trader buys 0.02 on L by hand: +0.02 unhedged on L (the venue it traded).
    h.L.marketFailures = [];
    expect((await h.host.command({ type: 'manualHedge', venue: 'L', side: 'buy', qty: '0.02', confirm: true, overrideLimits: true })).ok).toBe(true);
    await h.settle();
    const before = { L: markets(h.L.sent).length, E: markets(h.E.sent).length };
    expect((await h.host.command({ type: 'hedgeUnhedged', confirm: true })).ok).toBe(true);
    const after = { L: markets(h.L.sent).slice(before.L), E: markets(h.E.sent).slice(before.E) };
    expect(after.E).toEqual([]);
    expect(after.L.map((order) => [order.request.side, order.request.qty.toString()])).toEqual([['buy', '0.013']]);
    expect(h.engine.state.unhedged.L.plus(h.engine.state.unhedged.E).toString()).toBe('0');
  });
});
