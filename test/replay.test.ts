import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/main/app';
import { loadConfig } from '../src/main/config/config';
import { toFees } from '../src/main/engine/params';
import { readRecording, runReplay } from '../src/main/replay/replay';
import { waitFor } from './helpers/waitFor';

describe('replay', () => {
  it('runs the unchanged engine on a recording of a live session, the same every time', async () => {
    // Record a short armed demo session through the real adapters.
    const dataDir = mkdtempSync(join(tmpdir(), 'lx-replay-'));
    const config = loadConfig({
      env: { NETWORK: 'demo', DATA_DIR: dataDir, DEMO_SEED: '12', DEMO_SPEED: '5', MIN_SPREAD: '0.01', RECORD_FRAMES: 'true', LOG_LEVEL: 'warn' }
    });
    const app = await createApp(config, { consoleLog: false });
    await app.start();
    await waitFor(() => app.engine.state.hedgeSeeded, 'start-up', 20_000);
    await app.host.command({ type: 'arm' });
    await waitFor(() => app.engine.counters.bookUpdates > 200, 'book updates', 20_000);
    await app.host.command({ type: 'kill' });
    await app.stop();
    const files = readdirSync(join(dataDir, 'recordings'));
    const lighter = readRecording(join(dataDir, 'recordings', files.find((f) => f.startsWith('lighter')) as string));
    const extended = readRecording(join(dataDir, 'recordings', files.find((f) => f.startsWith('extended')) as string));
    expect(lighter.some((f) => f.src === 'L.rest.orderBooks')).toBe(true);
    expect(extended.some((f) => f.src === 'E.rest.markets')).toBe(true);

    const fees = toFees(config.fees);
    const first = await runReplay({ lighter, extended, fees, params: { minSpread: '0.01' } });
    expect(first.bookUpdates).toBeGreaterThan(100);
    expect(first.decisions).toBeGreaterThan(10);
    expect(first.executed.MAKE).toBeGreaterThan(0);
    const second = await runReplay({ lighter, extended, fees, params: { minSpread: '0.01' } });
    expect(second).toEqual(first);
    // Another threshold, another outcome, same data.
    const strict = await runReplay({ lighter, extended, fees, params: { minSpread: '5' } });
    expect(strict.executed.MAKE).toBe(0);
    expect(strict.bookUpdates).toBe(first.bookUpdates);
    // The recording carries the public trades; quotes fill from them only (paper mode's queue
    // model), never from book changes alone: without the trades, no quote fills.
    expect(lighter.some((f) => f.src === 'L.book' && f.raw.includes('"update/trade"'))).toBe(true);
    expect(extended.some((f) => f.src === 'E.trades')).toBe(true);
    const withoutTrades = await runReplay({
      lighter: lighter.filter((f) => !f.raw.includes('"update/trade"')),
      extended: extended.filter((f) => f.src !== 'E.trades'),
      fees,
      params: { minSpread: '0.01' }
    });
    expect(withoutTrades.makerFills).toBe(0);
    expect(withoutTrades.bookUpdates).toBe(first.bookUpdates);
  }, 60_000);
});
