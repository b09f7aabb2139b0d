/**
 * `npm run preflight` against the emulators: ready with the demo identities; a wrong key, a wrong
 * Stark key and an unreachable venue each fail the check they should, with what to do. No order
 * is ever sent.
 */
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EXTENDED, DEMO_LIGHTER, startEmulators, type Emulators } from '../src/main/emulator/emulators';
import { systemClock } from '../src/main/kernel/clock';
import type { PreflightRow } from '../src/main/ports/preflight';
import { formatPreflight } from '../src/main/preflight/report';
import { ExtendedVenue } from '../src/main/venues/extended/extendedVenue';
import { LighterVenue } from '../src/main/venues/lighter/lighterVenue';
import { loadWasmLighterSigner } from '../src/main/venues/lighter/signer';

let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators({ seed: 5, run: false });
});
afterAll(async () => {
  await emulators.stop();
});

async function lighter(overrides: Partial<{ restUrl: string; wsUrl: string; apiKeyIndex: number }> = {}) {
  const identity = { ...DEMO_LIGHTER, ...overrides };
  const signer = await loadWasmLighterSigner({
    apiPrivateKey: identity.apiPrivateKey,
    accountIndex: identity.accountIndex,
    apiKeyIndex: identity.apiKeyIndex,
    chainId: 300
  });
  return new LighterVenue(
    { restUrl: emulators.lighter.url, wsUrl: emulators.lighter.wsUrl, chainId: 300, symbol: 'ETH', ...identity, ...overrides },
    signer,
    systemClock
  );
}
const extended = (overrides: Partial<{ restUrl: string; apiKey: string; starkPrivateKey: string; vault: number }> = {}) =>
  new ExtendedVenue({ restUrl: emulators.extended.url, wsUrl: emulators.extended.wsUrl, market: 'ETH-USD', ...DEMO_EXTENDED, ...overrides }, systemClock);
const byCheck = (rows: PreflightRow[]) => Object.fromEntries(rows.map((row) => [row.check, row]));
const ordersSent = () => emulators.market.exchanges.L.record.orders.length + emulators.market.exchanges.E.record.orders.length;

describe('preflight', () => {
  it('passes on the demo identities, and sends no order', async () => {
    const rows = [...(await (await lighter()).preflight(new Decimal(1000))), ...(await extended().preflight(new Decimal(1000)))];
    expect(rows.filter((row) => row.status !== 'pass')).toEqual([]);
    expect(rows.map((row) => `${row.venue} ${row.check}`)).toEqual([
      'L REST reachable',
      'L clock skew',
      'L market',
      'L account and collateral',
      'L account tier',
      'L API key may take',
      'L leverage',
      'L API key registered',
      'L nonce',
      'L WebSocket reachable',
      'L request budget',
      'E REST reachable',
      'E clock skew',
      'E market and fees',
      'E API key, Stark key and vault',
      'E balance',
      'E leverage',
      'E order book stream',
      'E account stream',
      'E request budget'
    ]);
    expect(ordersSent()).toBe(0);
    expect(formatPreflight('DEMO', rows)).toContain('Ready: nothing failed.');
  });

  it("Lighter's tier is read from accountLimits and compared with LIGHTER_ACCOUNT_TIER; a maker-only API key fails (it cannot hedge)", async () => {
    const other = await startEmulators({ seed: 6, run: false, lighterUserTier: 'premium', lighterMakerOnlyKeys: [DEMO_LIGHTER.apiKeyIndex] });
    try {
      const signer = await loadWasmLighterSigner({ ...DEMO_LIGHTER, chainId: 300 });
      const venue = new LighterVenue(
        { restUrl: other.lighter.url, wsUrl: other.lighter.wsUrl, chainId: 300, symbol: 'ETH', ...DEMO_LIGHTER },
        signer,
        systemClock
      );
      const rows = byCheck(await venue.preflight(new Decimal(1000)));
      expect(rows['account tier']).toMatchObject({ status: 'fail' });
      expect(rows['account tier']?.detail).toContain('premium');
      expect(rows['API key may take']).toMatchObject({ status: 'fail' });
      expect(rows['API key may take']?.detail).toContain('maker-only');
      // A sub-account is not called "Premium": the account row names master or sub-account only.
      expect(rows['account and collateral']?.detail).toContain('master account');
    } finally {
      await other.stop();
    }
  });

  it('a Lighter API key index that is not registered fails the key check, with what to do', async () => {
    const rows = byCheck(await (await lighter({ apiKeyIndex: 9 })).preflight(new Decimal(1000)));
    expect(rows['API key registered']).toMatchObject({ status: 'fail' });
    expect(rows['API key registered']?.detail).toContain('no API key 9');
    expect(rows['API key registered']?.fix).toContain('LIGHTER_API_KEY_INDEX');
  });

  it('an Extended Stark key of another account fails the account check; a wrong API key fails the account stream', async () => {
    const wrongStark = byCheck(await extended({ starkPrivateKey: '0x1234' }).preflight(new Decimal(1000)));
    expect(wrongStark['API key, Stark key and vault']).toMatchObject({ status: 'fail' });
    expect(wrongStark['API key, Stark key and vault']?.detail).toContain('Stark key');
    const wrongKey = byCheck(await extended({ apiKey: 'not-the-key' }).preflight(new Decimal(1000)));
    expect(wrongKey['API key, Stark key and vault']).toMatchObject({ status: 'fail' });
    expect(wrongKey['account stream']).toMatchObject({ status: 'fail' });
    expect(wrongKey['account stream']?.detail).toContain('401');
  });

  it('a leverage too low for MAX_POSITION_VALUE is a warning with the way out', async () => {
    const rows = byCheck(await extended().preflight(new Decimal(10_000_000)));
    expect(rows.leverage).toMatchObject({ status: 'warn' });
    expect(rows.leverage?.fix).toContain('MAX_POSITION_VALUE');
  });

  it('an unreachable venue fails at once and says where it looked', async () => {
    const rows = await (await lighter({ restUrl: 'http://127.0.0.1:9' })).preflight(new Decimal(1000));
    expect(rows).toEqual([expect.objectContaining({ check: 'REST reachable', status: 'fail', fix: expect.stringContaining('LIGHTER_REST_URL') })]);
    const text = formatPreflight('TESTNET', rows);
    expect(text).toContain('FAIL  L  REST reachable');
    expect(text).toContain('do not arm');
  });
});

describe('preflight beside a live session only observes', () => {
  it("a started adapter's book, stream and connection are untouched by its preflight (arming runs it live)", async () => {
    for (const venue of [await lighter(), extended()]) {
      const events: string[] = [];
      venue.setHandlers({
        onBook: () => undefined,
        onFill: () => undefined,
        onOrderUpdate: () => undefined,
        onPosition: () => undefined,
        onConnection: (id, connected, detail) => events.push(`${id} ${connected ? 'up' : 'down'}: ${detail}`),
        onLog: () => undefined
      });
      await venue.start();
      const started = Date.now();
      while (!(venue.book.ready && venue.health().connected) && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(venue.book.ready).toBe(true);
      const book = venue.book;
      const bid = book.bestBid();
      const rows = await venue.preflight(new Decimal(1000));
      expect(rows.filter((row) => row.status === 'fail')).toEqual([]);
      // The same book object, still ready, never emptied; no disconnect on the way.
      expect(venue.book).toBe(book);
      expect(venue.book.ready).toBe(true);
      expect(venue.book.bestBid()).not.toBeNull();
      expect(bid).not.toBeNull();
      expect(events.filter((event) => event.includes('down'))).toEqual([]);
      await venue.stop();
    }
  }, 30_000);
});

describe('arming on TESTNET or MAINNET runs the preflight first', () => {
  it('a failed check refuses the arm and says what to do; a pass arms', async () => {
    const { harness } = await import('./helpers/engineHarness');
    let rows: PreflightRow[] = [{ venue: 'E', check: 'balance', status: 'fail', detail: 'balance 0', fix: 'deposit collateral on the sub-account' }];
    const h = harness({ mode: 'TESTNET' });
    (h.engine as unknown as { options: { preflight: () => Promise<PreflightRow[]> } }).options.preflight = async () => rows;
    await h.boot();
    const refused = await h.host.command({ type: 'arm' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toContain('E balance: balance 0 -> deposit collateral');
    expect(h.engine.state.armed).toBe(false);
    rows = [{ venue: 'E', check: 'balance', status: 'pass', detail: '1000 USD' }];
    expect((await h.host.command({ type: 'arm' })).ok).toBe(true);
  });
});
