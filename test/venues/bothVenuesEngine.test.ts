import { afterEach, describe, expect, it } from 'vitest';
import { defaultParams } from '../../src/shared/params';
import { systemClock } from '../../src/main/engine/clock';
import { MemoryJournal, MemoryLogs } from '../../src/main/engine/records';
import { StrategyEngine } from '../../src/main/engine/strategyEngine';
import { noNotifier } from '../../src/main/engine/telegram';
import { EngineHost } from '../../src/main/host/engineHost';
import { DEMO_EXTENDED, DEMO_LIGHTER, startEmulators } from '../../src/main/emulator/emulators';
import { ExtendedVenue } from '../../src/main/venues/extended/extendedVenue';
import { LighterVenue } from '../../src/main/venues/lighter/lighterVenue';
import { loadWasmLighterSigner } from '../../src/main/venues/lighter/signer';
import { ZERO_FEES } from '../helpers/engineHarness';
import { waitFor } from '../helpers/waitFor';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the engine on both real adapters against both emulators', () => {
  it('quotes, gets maker fills, hedges every one on the other venue, and ends hedged', async () => {
    // A fast, jumpy market so that spreads open often; flow fills our resting quotes.
    const emulators = await startEmulators({ seed: 5, speed: 5 });
    cleanups.push(() => emulators.stop());
    const signer = await loadWasmLighterSigner({ apiPrivateKey: DEMO_LIGHTER.apiPrivateKey, accountIndex: DEMO_LIGHTER.accountIndex, apiKeyIndex: DEMO_LIGHTER.apiKeyIndex, chainId: 300 });
    const L = new LighterVenue(
      { restUrl: emulators.lighter.url, wsUrl: emulators.lighter.wsUrl, chainId: 300, symbol: 'ETH', accountIndex: DEMO_LIGHTER.accountIndex, apiKeyIndex: DEMO_LIGHTER.apiKeyIndex, apiPrivateKey: DEMO_LIGHTER.apiPrivateKey, requestsPerMinute: 100_000 },
      signer,
      systemClock
    );
    const E = new ExtendedVenue(
      { restUrl: emulators.extended.url, wsUrl: emulators.extended.wsUrl, market: 'ETH-USD', apiKey: DEMO_EXTENDED.apiKey, starkPrivateKey: DEMO_EXTENDED.starkPrivateKey, vault: DEMO_EXTENDED.vault },
      systemClock
    );
    const journal = new MemoryJournal();
    const engine = new StrategyEngine({
      clock: systemClock, mode: 'DEMO', params: { ...defaultParams(), minSpread: '0.01', maxPositionValue: '100000' }, fees: ZERO_FEES,
      venues: { L, E }, logs: new MemoryLogs(), journal, notifier: noNotifier, seedUnhedgedOn: 'L'
    });
    const host = new EngineHost(engine, { clock: systemClock });
    cleanups.push(() => host.stop());
    await host.start();
    await waitFor(() => engine.state.hedgeSeeded, 'start-up', 15_000);
    await host.command({ type: 'arm' });
    await waitFor(() => engine.counters.makerFills >= 3, 'three maker fills', 20_000);
    await host.command({ type: 'kill' });
    await waitFor(() => (engine.hedger ? !engine.state.unhedged.L.abs().gte(engine.state.minHedgeQty ?? 0) && !engine.state.unhedged.E.abs().gte(engine.state.minHedgeQty ?? 0) : true), 'hedges to settle', 10_000);
    await engine.hedger?.settled();
    // What the emulators recorded is what the engine believes.
    await waitFor(
      () => engine.state.inv.L.eq(emulators.market.exchanges.L.position.qty) && engine.state.inv.E.eq(emulators.market.exchanges.E.position.qty),
      'inventory to match the venues'
    );
    const venueTrades = emulators.market.exchanges.L.record.trades.length + emulators.market.exchanges.E.record.trades.length;
    expect(journal.fills.length).toBe(venueTrades);
    expect(engine.hedger?.hedgesSent).toBeGreaterThan(0);
    const net = engine.state.inv.L.plus(engine.state.inv.E);
    expect(net.toString()).toBe(engine.state.unhedged.L.plus(engine.state.unhedged.E).toString());
    expect(net.abs().lt(engine.state.minHedgeQty ?? 0)).toBe(true);
    // Nothing rests after the kill (the second sweep catches an order that was still on its way).
    await waitFor(() => emulators.market.exchanges.L.orders.size + emulators.market.exchanges.E.orders.size === 0, 'no order left resting', 3000);
  }, 60_000);
});
