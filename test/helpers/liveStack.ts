import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultParams, type StrategyParams } from '../../src/shared/params';
import { systemClock } from '../../src/main/kernel/clock';
import { MemoryLogs } from '../../src/main/ports/records';
import { StrategyEngine } from '../../src/main/engine/strategyEngine';
import { noNotifier, type Notifier } from '../../src/main/ports/notifier';
import { DEMO_EXTENDED, DEMO_LIGHTER, DEMO_RATE_FACTOR, LIGHTER_STANDARD_LIMIT, type Emulators } from '../../src/main/emulator/emulators';
import { EngineHost } from '../../src/main/host/engineHost';
import { SqliteJournal } from '../../src/main/journal/sqliteJournal';
import { ExtendedVenue } from '../../src/main/venues/extended/extendedVenue';
import { LighterVenue } from '../../src/main/venues/lighter/lighterVenue';
import { loadWasmLighterSigner } from '../../src/main/venues/lighter/signer';
import { ZERO_FEES } from './engineHarness';

/** The engine on both real adapters against running emulators, with a real SQLite journal. */
export async function liveEngine(
  emulators: Emulators,
  options: { params?: Partial<StrategyParams>; journalPath?: string; notifier?: Notifier; lighterRequestsPerMinute?: number } = {}
) {
  const signer = await loadWasmLighterSigner({
    apiPrivateKey: DEMO_LIGHTER.apiPrivateKey,
    accountIndex: DEMO_LIGHTER.accountIndex,
    apiKeyIndex: DEMO_LIGHTER.apiKeyIndex,
    chainId: 300
  });
  const L = new LighterVenue(
    {
      restUrl: emulators.lighter.url,
      wsUrl: emulators.lighter.wsUrl,
      chainId: 300,
      symbol: 'ETH',
      ...DEMO_LIGHTER,
      // The emulators count Lighter's Standard limit ten times faster (an accelerated market): so does the adapter.
      requestsPerMinute: options.lighterRequestsPerMinute ?? LIGHTER_STANDARD_LIMIT.perMinute * DEMO_RATE_FACTOR,
      weightPerMinute: LIGHTER_STANDARD_LIMIT.weightPerMinute * DEMO_RATE_FACTOR,
      staleBookMs: 3000
    },
    signer,
    systemClock
  );
  const E = new ExtendedVenue(
    { restUrl: emulators.extended.url, wsUrl: emulators.extended.wsUrl, market: 'ETH-USD', ...DEMO_EXTENDED, staleBookMs: 3000, marketResultTimeoutMs: 3000 },
    systemClock
  );
  const journalPath = options.journalPath ?? join(mkdtempSync(join(tmpdir(), 'lx-live-')), 'journal.sqlite');
  const journal = new SqliteJournal(journalPath, { flushMs: 50 });
  const logs = new MemoryLogs();
  const engine = new StrategyEngine({
    clock: systemClock,
    mode: 'DEMO',
    params: { ...defaultParams(), minSpread: '0.01', maxPositionValue: '100000', staleBookMs: 2000, hedgeRetryDelayMs: 50, ...options.params },
    fees: ZERO_FEES,
    venues: { L, E },
    logs,
    journal,
    notifier: options.notifier ?? noNotifier,
    seedUnhedgedOn: 'L'
  });
  const host = new EngineHost(engine, { clock: systemClock });
  return { engine, host, journal, journalPath, logs, L, E };
}

/** Both venues' positions as the emulators hold them. */
export function venuePositions(emulators: Emulators) {
  return { L: emulators.market.exchanges.L.position.qty, E: emulators.market.exchanges.E.position.qty };
}
