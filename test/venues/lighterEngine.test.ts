import Decimal from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultParams } from '../../src/shared/params';
import { SIM_MARKETS } from '../helpers/simulatedMarket';
import { systemClock } from '../../src/main/kernel/clock';
import { MemoryVenue } from '../../src/main/sim/memoryVenue';
import { MemoryJournal, MemoryLogs } from '../../src/main/ports/records';
import { StrategyEngine } from '../../src/main/engine/strategyEngine';
import { noNotifier } from '../../src/main/ports/notifier';
import { EngineHost } from '../../src/main/host/engineHost';
import { formatScaled } from '../../src/main/emulator/marketModel';
import { LighterVenue } from '../../src/main/venues/lighter/lighterVenue';
import { generateLighterApiKey, loadWasmLighterSigner } from '../../src/main/venues/lighter/signer';
import { ZERO_FEES } from '../helpers/engineHarness';
import { ACCOUNT, API_KEY, startLighter } from '../helpers/lighterEmulator';
import { waitFor } from '../helpers/waitFor';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the engine on the Lighter adapter against the emulator', () => {
  it('starts up, quotes post-only on Lighter, sees its fill and hedges it', async () => {
    const env = await startLighter();
    cleanups.push(() => env.emulator.stop());
    const key = await generateLighterApiKey();
    const signer = await loadWasmLighterSigner({ apiPrivateKey: key.privateKey, accountIndex: ACCOUNT, apiKeyIndex: API_KEY, chainId: 300 });
    const L = new LighterVenue(
      {
        restUrl: env.emulator.url,
        wsUrl: env.emulator.wsUrl,
        chainId: 300,
        symbol: 'ETH',
        accountIndex: ACCOUNT,
        apiKeyIndex: API_KEY,
        apiPrivateKey: key.privateKey,
        staleBookMs: 60_000
      },
      signer,
      systemClock
    );
    // The other leg in memory, on a 0.01 tick with a one-tick spread, 0.3 % above Lighter: MT_LE
    // (buy Lighter at its bid) is the best maker combo.
    const E = new MemoryVenue({ id: 'E', clock: systemClock, ...SIM_MARKETS.L, market: { ...SIM_MARKETS.L.market, symbol: 'ETH-USD' } });
    const journal = new MemoryJournal();
    const engine = new StrategyEngine({
      clock: systemClock,
      mode: 'DEMO',
      params: { ...defaultParams(), staleBookMs: 60_000 },
      fees: ZERO_FEES,
      venues: { L, E },
      logs: new MemoryLogs(),
      journal,
      notifier: noNotifier,
      seedUnhedgedOn: 'L'
    });
    const host = new EngineHost(engine, { clock: systemClock });
    cleanups.push(() => host.stop());
    const setE = () => {
      const bidL = new Decimal(formatScaled(env.exchange.bestBid() as number, 2));
      const bidE = bidL.times('1.003').toDecimalPlaces(2);
      const levels = (start: Decimal, step: string) =>
        Array.from({ length: 5 }, (_, i) => [start.plus(new Decimal(step).times(i)).toFixed(2), '5.0000'] as [string, string]);
      E.setBook(levels(bidE, '-0.01'), levels(bidE.plus('0.01'), '0.01'));
    };
    await host.start();
    setE();
    await waitFor(() => engine.state.hedgeSeeded, 'start-up to finish', 10_000);
    expect(engine.snapshot().startup.every((step) => step.status === 'done')).toBe(true);

    await host.command({ type: 'arm' });
    setE();
    await waitFor(() => env.exchange.orders.size === 1, 'a post-only order resting on the Lighter emulator');
    const order = [...env.exchange.orders.values()][0]!;
    expect(order).toMatchObject({ side: 'buy', tif: 'post_only', price: env.exchange.bestBid() });
    expect(engine.snapshot().liveOrder).toMatchObject({ venue: 'L', side: 'buy', combo: 'MT_LE' });

    env.exchange.fillResting(order.clientId);
    await waitFor(() => E.sent.some((sent) => sent.kind === 'market'), 'the hedge on the other venue');
    await waitFor(() => engine.state.unhedged.L.isZero() && engine.state.inv.E.lt(0), 'the hedge to settle');
    const hedge = E.sent.find((sent) => sent.kind === 'market');
    expect(hedge?.kind === 'market' && [hedge.request.side, hedge.request.qty.toString()]).toEqual(['sell', formatScaled(order.qty, 4).replace(/0+$/, '')]);
    expect(engine.state.inv.L.toString()).toBe(engine.state.inv.E.neg().toString());
    expect(journal.fills.filter((fill) => fill.venue === 'L' && fill.maker)).toHaveLength(1);
  });
});
