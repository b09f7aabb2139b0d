import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvCell, JOURNAL_SCHEMA_VERSION, SqliteJournal } from '../src/main/journal/sqliteJournal';
import { FileStrategyLogs } from '../src/main/log/strategyLogs';

const dir = () => mkdtempSync(join(tmpdir(), 'lx-journal-'));

describe('SqliteJournal', () => {
  it('exports a table as CSV with ISO times and plain decimals, the whole journal or a range, read in slices', async () => {
    const journal = new SqliteJournal(join(dir(), 'journal.sqlite'), { flushMs: 60_000 });
    const day = Date.parse('2026-11-24T00:00:00Z');
    // 12,000 fills over two days (more than two export slices), one with a fee small enough to print as an exponent.
    for (let i = 0; i < 12_000; i++) {
      const at = day + Math.floor((i * 2 * 86_400_000) / 12_000);
      journal.fill({
        id: `f${i}`,
        at,
        venue: i % 2 ? 'L' : 'E',
        side: i % 2 ? 'buy' : 'sell',
        qty: '0.01',
        price: '3000.5',
        maker: i % 3 === 0,
        orderId: String(i),
        fee: i === 0 ? '1e-7' : undefined
      });
    }
    const whole = await journal.exportCsv({ table: 'fills' });
    expect(whole.rows).toBe(12_000);
    expect(whole.truncated).toBe(false);
    expect(whole.csv.endsWith('\n')).toBe(true);
    const lines = whole.csv.trimEnd().split('\n');
    expect(lines[0]).toBe('at,venue,side,qty,price,maker,fee,fee_estimated,order_id,fill_id,refused,backfilled');
    expect(lines[1]).toBe('2026-11-24T00:00:00.000Z,E,sell,0.01,3000.5,maker,0.0000001,reported,0,f0,,');
    expect(lines).toHaveLength(12_001);
    // The second day only: [from, to).
    const second = await journal.exportCsv({ table: 'fills', from: day + 86_400_000, to: day + 2 * 86_400_000 });
    expect(second.rows).toBe(6000);
    expect(second.csv.split('\n')[1]?.startsWith('2026-11-25T00:00:00.000Z')).toBe(true);
    await journal.close();
  });

  it('stores every record kind in WAL mode and survives a reopen', async () => {
    const path = join(dir(), 'journal.sqlite');
    const journal = new SqliteJournal(path, { flushMs: 60_000 });
    expect(journal.schemaVersion()).toBe(JOURNAL_SCHEMA_VERSION);
    journal.order({ at: 1, clientId: '7', venue: 'E', kind: 'post_only', side: 'sell', price: '3003.3', qty: '0.033', purpose: 'maker', combo: 'TM_LE' });
    journal.reply({ at: 2, clientId: '7', venue: 'E', ok: true, detail: 'accepted', latencyMs: 4.5 });
    // Batched: nothing is written before a flush...
    expect(journal.count('orders')).toBe(0);
    // ...except that a fill is written at once, with what was queued before it.
    journal.fill({ id: 't1', at: 3, venue: 'E', side: 'sell', qty: '0.033', price: '3003.3', maker: true, orderId: '7' });
    journal.fill({ id: 't1', at: 3, venue: 'E', side: 'sell', qty: '0.033', price: '3003.3', maker: true, orderId: '7' });
    journal.hedge({
      at: 4,
      fromVenue: 'E',
      venue: 'L',
      side: 'buy',
      requested: '0.033',
      filled: '0.033',
      attempt: 1,
      latencyMs: 3,
      decisionPrice: '3000.10',
      avgPrice: '3000.10',
      clientId: '8'
    });
    expect(journal.count('orders')).toBe(1);
    journal.decision({ at: 1, action: 'MAKE', combo: 'TM_LE', direction: 'entry', venue: 'E', side: 'sell', price: '3003.3', qty: '0.033', reason: 'entry' });
    expect(journal.count('decisions')).toBe(0);
    journal.flush();
    expect(journal.count('fills')).toBe(1);
    expect(journal.duplicatesIgnored).toBe(1);
    await journal.close();

    const reopened = new SqliteJournal(path);
    expect(reopened.count('orders')).toBe(1);
    expect(reopened.rows('fills')[0]).toMatchObject({ fill_id: 't1', qty: '0.033', price: '3003.3', maker: 1 });
    expect(reopened.rows('hedges')[0]).toMatchObject({ decision_price: '3000.10', avg_price: '3000.10' });
    const { DatabaseSync } = await import('node:sqlite');
    const probe = new DatabaseSync(path);
    expect(probe.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    probe.close();
    await reopened.close();
  });

  it('refuses a journal from a newer build', async () => {
    const path = join(dir(), 'journal.sqlite');
    const journal = new SqliteJournal(path);
    await journal.close();
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${JOURNAL_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteJournal(path)).toThrow(/newer than this build/);
  });
});

describe('FileStrategyLogs', () => {
  it('writes hedge.log newest first and bounded, the full history in order, realtime.log replaced', async () => {
    const logDir = dir();
    const logs = new FileStrategyLogs({ dir: logDir, hedgeLines: 3, flushMs: 60_000 });
    for (let i = 1; i <= 5; i++) logs.hedge(`hedge ${i}`);
    logs.maker('maker 1');
    logs.spread('spread 1');
    logs.realtime('state A\n');
    await logs.flush();
    logs.realtime('state B\n');
    await logs.close();
    expect(readFileSync(join(logDir, 'hedge.log'), 'utf8')).toBe('hedge 5\nhedge 4\nhedge 3\n');
    expect(readFileSync(join(logDir, 'hedge-history.log'), 'utf8')).toBe('hedge 1\nhedge 2\nhedge 3\nhedge 4\nhedge 5\n');
    expect(readFileSync(join(logDir, 'maker.log'), 'utf8')).toBe('maker 1\n');
    expect(readFileSync(join(logDir, 'spread.log'), 'utf8')).toBe('spread 1\n');
    expect(readFileSync(join(logDir, 'realtime.log'), 'utf8')).toBe('state B\n');
  });

  it('rotates an append log past its size limit', async () => {
    const logDir = dir();
    const logs = new FileStrategyLogs({ dir: logDir, maxBytes: 20, flushMs: 60_000 });
    logs.spread('0123456789');
    await logs.flush();
    logs.spread('abcdefghij');
    await logs.flush();
    await logs.close();
    expect(readFileSync(join(logDir, 'spread.log.1'), 'utf8')).toBe('0123456789\n');
    expect(readFileSync(join(logDir, 'spread.log'), 'utf8')).toBe('abcdefghij\n');
  });
});

describe('journal retention', () => {
  it('drops old decisions, orders and replies, keeps every fill and hedge', async () => {
    const path = join(dir(), 'journal.sqlite');
    const day = 86_400_000;
    const now = 100 * day;
    const journal = new SqliteJournal(path, { flushMs: 60_000 });
    for (const at of [now - 40 * day, now - day]) {
      journal.order({ at, clientId: String(at), venue: 'L', kind: 'post_only', side: 'buy', price: '1', qty: '1', purpose: 'maker' });
      journal.reply({ at, clientId: String(at), venue: 'L', ok: true, detail: 'ok', latencyMs: 1 });
      journal.decision({ at, action: 'MAKE', combo: 'MT_LE', direction: 'entry', venue: 'L', side: 'buy', price: '1', qty: '1', reason: 'r' });
      journal.fill({ id: String(at), at, venue: 'L', side: 'buy', qty: '1', price: '1', maker: true, orderId: String(at) });
      journal.hedge({
        at,
        fromVenue: 'L',
        venue: 'E',
        side: 'sell',
        requested: '1',
        filled: '1',
        attempt: 1,
        latencyMs: 1,
        decisionPrice: '1',
        avgPrice: '1',
        clientId: String(at)
      });
    }
    await journal.close();
    // Opening with a 30-day retention prunes at once.
    const pruned = new SqliteJournal(path, { retentionDays: 30, now: () => now });
    expect(['orders', 'replies', 'decisions'].map((t) => pruned.count(t as 'orders'))).toEqual([1, 1, 1]);
    expect([pruned.count('fills'), pruned.count('hedges')]).toEqual([2, 2]);
    await pruned.close();
  });
});

describe('journal history views', () => {
  it('splits fills into round trips with their PnL and measures hedge slippage', async () => {
    const journal = new SqliteJournal(join(dir(), 'journal.sqlite'), { flushMs: 60_000 });
    const fill = (id: string, at: number, venue: 'L' | 'E', side: 'buy' | 'sell', qty: string, price: string, fee?: string) =>
      journal.fill({ id, at, venue, side, qty, price, maker: false, orderId: id, fee });
    // Trip 1: buy L 0.5 @ 3000, sell E 0.5 @ 3006; exit: sell L @ 3004, buy E @ 3005 -> 2 + 0.5 = 2.5, fee 0.1.
    fill('1', 1, 'L', 'buy', '0.5', '3000');
    fill('2', 2, 'E', 'sell', '0.5', '3006', '0.1');
    fill('3', 3, 'L', 'sell', '0.5', '3004');
    fill('4', 4, 'E', 'buy', '0.5', '3005');
    // Trip 2 still open.
    fill('5', 5, 'L', 'buy', '0.1', '3000');
    journal.hedge({
      at: 6,
      fromVenue: 'E',
      venue: 'L',
      side: 'buy',
      requested: '0.1',
      filled: '0.1',
      attempt: 1,
      latencyMs: 2,
      decisionPrice: '3000',
      avgPrice: '3000.3',
      clientId: 'h1'
    });
    journal.hedge({
      at: 7,
      fromVenue: 'L',
      venue: 'E',
      side: 'sell',
      requested: '0.1',
      filled: '0.1',
      attempt: 1,
      latencyMs: 2,
      decisionPrice: '3000',
      avgPrice: '3000.6',
      clientId: 'h2'
    });
    journal.flush();
    expect(journal.roundTrips()).toEqual([{ openedAt: 1, closedAt: 4, fills: 4, gross: '2.5', fees: '0.1', pnl: '2.4' }]);
    expect(journal.hedgeSlippage().map((row) => row.slippageBps)).toEqual(['-2', '1']);
    await journal.close();
  });
});

describe('the journal keeps what the venues said, and its totals', () => {
  it('round trips and their totals live in the journal: a reopened journal does not replay its fills', async () => {
    const path = join(dir(), 'journal.sqlite');
    const journal = new SqliteJournal(path, { flushMs: 60_000 });
    const fill = (id: string, at: number, venue: 'L' | 'E', side: 'buy' | 'sell', price: string, fee?: string) =>
      journal.fill({ id, at, venue, side, qty: '1', price, maker: true, orderId: id, fee, feeEstimated: fee === undefined });
    fill('1', 1, 'L', 'buy', '3000', '0.3');
    fill('2', 2, 'E', 'sell', '3010', '0.3');
    fill('3', 3, 'L', 'sell', '3005', '0.3');
    fill('4', 4, 'E', 'buy', '3006', '0.3');
    expect(journal.history(10).totals).toMatchObject({ grossPnl: '9', fees: '1.2', realisedPnl: '7.8', roundTrips: 1 });
    await journal.close();
    // Rewrite history under the journal's feet: a replay would see it, the kept aggregate does not.
    const { DatabaseSync } = await import('node:sqlite');
    const raw = new DatabaseSync(path);
    raw.exec("UPDATE fills SET price = '1' WHERE fill_id = '1'");
    raw.close();
    const reopened = new SqliteJournal(path, { flushMs: 60_000 });
    expect(reopened.history(10).totals).toMatchObject({ grossPnl: '9', realisedPnl: '7.8', roundTrips: 1 });
    // New fills after the reopen fold into the same aggregate.
    reopened.fill({ id: '5', at: 5, venue: 'L', side: 'buy', qty: '1', price: '3000', maker: true, orderId: '5', fee: '0' });
    reopened.fill({ id: '6', at: 6, venue: 'L', side: 'sell', qty: '1', price: '3002', maker: true, orderId: '6', fee: '0' });
    const history = reopened.history(10);
    expect(history.totals).toMatchObject({ grossPnl: '11', realisedPnl: '9.8', roundTrips: 2, fills: 6 });
    expect(history.roundTrips.map((trip) => trip.pnl)).toEqual(['2', '7.8']);
    await reopened.close();
  });

  it('a refused fill is kept, marked, and counted nowhere; estimated fees are marked; CSV cells cannot be formulas', async () => {
    const journal = new SqliteJournal(join(dir(), 'journal.sqlite'), { flushMs: 60_000 });
    journal.fill({ id: 'ok', at: 1, venue: 'E', side: 'sell', qty: '0.033', price: '3000', maker: true, orderId: '7', fee: '0.01', feeEstimated: true });
    journal.fill({
      id: 'bad',
      at: 2,
      venue: 'E',
      side: 'sell',
      qty: '20',
      price: '3000',
      maker: true,
      orderId: '=HYPERLINK("http://x","y")',
      refused: 'impossible: 20 filled of an order of 0.033'
    });
    const history = journal.history(10);
    expect(history.fills.map((f) => [f.id, f.feeEstimated])).toEqual([['ok', true]]);
    expect(history.totals.fills).toBe(1);
    const csv = (await journal.exportCsv({ table: 'fills' })).csv.trimEnd().split('\n');
    expect(csv[1]).toBe('1970-01-01T00:00:00.001Z,E,sell,0.033,3000,maker,0.01,estimated,7,ok,,');
    expect(csv[2]).toBe(
      `1970-01-01T00:00:00.002Z,E,sell,20,3000,maker,,reported,"'=HYPERLINK(""http://x"",""y"")",bad,impossible: 20 filled of an order of 0.033,`
    );
    await journal.close();
  });

  it('csvCell escapes formulas but leaves numbers, negative ones included', () => {
    expect([csvCell('-1.5'), csvCell('+1'), csvCell('@SUM(A1)'), csvCell('-x'), csvCell('a,b'), csvCell(null)]).toEqual([
      '-1.5',
      "'+1",
      "'@SUM(A1)",
      "'-x",
      '"a,b"',
      ''
    ]);
  });
});

describe('writers that cannot write fail safe', () => {
  it('a journal locked by another process: nothing thrown, nothing lost, reported; fills at risk after 5 s', async () => {
    const path = join(dir(), 'journal.sqlite');
    const reports: Array<{ message: string; fillsAtRisk: boolean }> = [];
    const journal = new SqliteJournal(path, { flushMs: 60_000, onError: (message, fillsAtRisk) => reports.push({ message, fillsAtRisk }) });
    const { DatabaseSync } = await import('node:sqlite');
    const other = new DatabaseSync(path);
    other.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    journal.fill({ id: 'f1', at: 1, venue: 'L', side: 'buy', qty: '0.01', price: '3000', maker: true, orderId: '1' });
    expect(journal.flush()).toBe(false);
    // The lock costs the event loop no more than the short busy timeout.
    expect(Date.now() - started).toBeLessThan(500);
    expect(reports[0]?.message).toContain('database is locked');
    other.exec('ROLLBACK');
    other.close();
    expect(journal.flush()).toBe(true);
    expect(journal.count('fills')).toBe(1);
    await journal.close();
  });

  it('strategy logs on a disk that refuses writes: reported, no line lost once it writes again', async () => {
    const base = dir();
    const logDir = join(base, 'logs');
    const { writeFileSync, rmSync, mkdirSync } = await import('node:fs');
    // A file where the folder should be: every write fails (as on a full disk).
    writeFileSync(logDir, 'not a folder');
    const errors: string[] = [];
    const logs = new FileStrategyLogs({ dir: logDir, flushMs: 60_000, onError: (message) => errors.push(message) });
    logs.maker('line 1');
    await logs.flush();
    logs.maker('line 2');
    await logs.flush();
    expect(errors.length).toBe(1);
    expect(logs.failures).toBeGreaterThanOrEqual(2);
    rmSync(logDir);
    mkdirSync(logDir);
    logs.maker('line 3');
    await logs.flush();
    await logs.close();
    expect(readFileSync(join(logDir, 'maker.log'), 'utf8')).toBe('line 1\nline 2\nline 3\n');
  });
});
