/**
 * The trade journal in SQLite (node:sqlite, WAL): every order sent, venue reply, fill, hedge
 * attempt and executed decision, so that history, PnL and hedge slippage survive restarts.
 * Records are queued on the hot path and written in one transaction per batch.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import Decimal from 'decimal.js';
import { ZERO } from '../kernel/decimalMath';
import type { FillView, HedgeView, HistoryView, Side, VenueId } from '../../shared/contract';
import type { DecisionRecord, FillRecord, HedgeRecord, JournalExport, OrderRecord, ReplyRecord, TradeJournal } from '../ports/records';
import { positionAfterFill } from '../kernel/position';
import type { Position } from '../ports/venue';

/**
 * node:sqlite prints "ExperimentalWarning: SQLite is an experimental feature" when it loads (Node 22):
 * known and accepted here, so the entry points (headless, Electron) hide it at start. Node emits
 * warnings on the next tick, so calling this while the entry module loads is in time; every other
 * warning still prints. A process-wide printer, so only an entry point calls it, never a library.
 */
export function hideSqliteExperimentalWarning(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'ExperimentalWarning' && /SQLite/.test(warning.message)) return;
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
  });
}

export interface RoundTrip {
  /** Time of the first fill of the round trip and of the fill that brought both legs flat. */
  openedAt: number;
  closedAt: number;
  fills: number;
  /** Realised PnL of both legs, fees deducted (quote units). */
  pnl: string;
  fees: string;
}

export interface HedgeSlippage {
  at: number;
  venue: string;
  side: string;
  filled: string;
  decisionPrice: string;
  avgPrice: string;
  /** Positive = paid worse than the price seen when the hedge was decided (basis points). */
  slippageBps: string;
}

export const JOURNAL_SCHEMA_VERSION = 1;

const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE orders (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, client_id TEXT NOT NULL, venue TEXT NOT NULL,
      kind TEXT NOT NULL, side TEXT, price TEXT, qty TEXT, purpose TEXT NOT NULL, combo TEXT);
    CREATE INDEX orders_client ON orders(client_id);
    CREATE TABLE replies (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, client_id TEXT NOT NULL, venue TEXT NOT NULL,
      ok INTEGER NOT NULL, detail TEXT NOT NULL, latency_ms REAL NOT NULL, filled_qty TEXT);
    CREATE TABLE fills (id INTEGER PRIMARY KEY, fill_id TEXT NOT NULL, venue TEXT NOT NULL, at INTEGER NOT NULL,
      side TEXT NOT NULL, qty TEXT NOT NULL, price TEXT NOT NULL, maker INTEGER NOT NULL, order_id TEXT NOT NULL, fee TEXT,
      UNIQUE (venue, fill_id));
    CREATE TABLE hedges (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, from_venue TEXT NOT NULL, venue TEXT NOT NULL,
      side TEXT NOT NULL, requested TEXT NOT NULL, filled TEXT NOT NULL, attempt INTEGER NOT NULL, latency_ms REAL NOT NULL,
      decision_price TEXT NOT NULL, avg_price TEXT, error TEXT, client_id TEXT NOT NULL);
    CREATE TABLE decisions (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, action TEXT NOT NULL, combo TEXT, direction TEXT,
      venue TEXT, side TEXT, price TEXT, qty TEXT, reason TEXT NOT NULL, latency_ms REAL);
  `
};

type Row = Record<string, string | number | null>;

const EXPORT_SLICE = 5000;
// About 10 MB of CSV: one frame to the page stays under the bridge's 16 MB per-viewer buffer cap.
const EXPORT_MAX_ROWS = 100_000;

const iso = (ms: number) => new Date(ms).toISOString();
/** A decimal as a plain string: never "1e-7". */
const plain = (text: string) => new Decimal(text).toFixed();
const csvCell = (value: string | number | boolean | null) => {
  const text = value === null ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The exported columns of each table, and how each is written. */
const EXPORTS: Record<'fills' | 'hedges' | 'orders', { columns: string[]; format(column: string, value: string | number | null): string | number | null }> = {
  fills: {
    columns: ['at', 'venue', 'side', 'qty', 'price', 'maker', 'fee', 'order_id', 'fill_id'],
    format: (column, value) =>
      value === null
        ? null
        : column === 'at'
          ? iso(Number(value))
          : column === 'maker'
            ? value === 1
              ? 'maker'
              : 'taker'
            : ['qty', 'price', 'fee'].includes(column)
              ? plain(String(value))
              : value
  },
  hedges: {
    columns: ['at', 'from_venue', 'venue', 'side', 'requested', 'filled', 'attempt', 'latency_ms', 'decision_price', 'avg_price', 'error', 'client_id'],
    format: (column, value) =>
      value === null
        ? null
        : column === 'at'
          ? iso(Number(value))
          : ['requested', 'filled', 'decision_price', 'avg_price'].includes(column)
            ? plain(String(value))
            : column === 'latency_ms'
              ? Number(value).toFixed(3)
              : value
  },
  orders: {
    columns: ['at', 'client_id', 'venue', 'kind', 'side', 'price', 'qty', 'purpose', 'combo'],
    format: (column, value) => (value === null ? null : column === 'at' ? iso(Number(value)) : ['price', 'qty'].includes(column) ? plain(String(value)) : value)
  }
};

export class SqliteJournal implements TradeJournal {
  private readonly db: DatabaseSync;
  private readonly insert: Record<'order' | 'reply' | 'fill' | 'hedge' | 'decision', StatementSync>;
  private queue: Array<() => void> = [];
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  /** Fills already stored (venue + id): a replayed fill is stored once. */
  duplicatesIgnored = 0;
  /** Since when writes have been failing (null while they succeed). */
  private failingSince: number | null = null;
  private lastReportAt = Number.NEGATIVE_INFINITY;
  /** Failed flushes so far. */
  failures = 0;

  constructor(
    path: string,
    private readonly options: {
      flushMs?: number;
      retentionDays?: number;
      now?: () => number;
      /**
       * Writes are failing (locked by another process, full disk): reported at most every 10 s.
       * `fillsAtRisk` is true once fills have waited longer than 5 s: the app disarms and alarms.
       */
      onError?: (message: string, fillsAtRisk: boolean) => void;
    } = {}
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    // A short busy timeout: a lock held by another process must not block the engine's event loop;
    // the batch waits and is tried again on the next flush.
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 20;');
    this.migrate();
    this.insert = {
      order: this.db.prepare('INSERT INTO orders (at, client_id, venue, kind, side, price, qty, purpose, combo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      reply: this.db.prepare('INSERT INTO replies (at, client_id, venue, ok, detail, latency_ms, filled_qty) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      fill: this.db.prepare('INSERT OR IGNORE INTO fills (fill_id, venue, at, side, qty, price, maker, order_id, fee) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      hedge: this.db.prepare(
        'INSERT INTO hedges (at, from_venue, venue, side, requested, filled, attempt, latency_ms, decision_price, avg_price, error, client_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
      ),
      decision: this.db.prepare(
        'INSERT INTO decisions (at, action, combo, direction, venue, side, price, qty, reason, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
      )
    };
    this.timer = setInterval(() => this.flush(), options.flushMs ?? 200);
    this.timer.unref();
    if (options.retentionDays) {
      const days = options.retentionDays;
      const now = options.now ?? Date.now;
      this.prune(now() - days * 86_400_000);
      this.pruneTimer = setInterval(() => this.prune(now() - days * 86_400_000), 3_600_000);
      this.pruneTimer.unref();
    }
  }

  private migrate(): void {
    const current = (this.db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
    if (current > JOURNAL_SCHEMA_VERSION) {
      throw new Error(`journal schema ${current} is newer than this build knows (${JOURNAL_SCHEMA_VERSION})`);
    }
    for (let version = current + 1; version <= JOURNAL_SCHEMA_VERSION; version++) {
      this.db.exec('BEGIN');
      try {
        this.db.exec(MIGRATIONS[version] as string);
        this.db.exec(`PRAGMA user_version = ${version}`);
        this.db.exec('COMMIT');
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    }
  }

  schemaVersion(): number {
    return (this.db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  }

  order(r: OrderRecord): void {
    this.queue.push(() => this.insert.order.run(r.at, r.clientId, r.venue, r.kind, r.side ?? null, r.price ?? null, r.qty ?? null, r.purpose, r.combo ?? null));
  }

  reply(r: ReplyRecord): void {
    this.queue.push(() => this.insert.reply.run(r.at, r.clientId, r.venue, r.ok ? 1 : 0, r.detail, r.latencyMs, r.filledQty ?? null));
  }

  /**
   * A fill is written at once (the engine calls this before it acts on the fill), so a kill -9 a
   * moment later cannot lose it; if the database refuses it, it waits in the queue like the rest.
   */
  fill(r: FillRecord): void {
    const write = () => {
      const result = this.insert.fill.run(r.id, r.venue, r.at, r.side, r.qty, r.price, r.maker ? 1 : 0, r.orderId, r.fee ?? null);
      if (result.changes === 0) this.duplicatesIgnored += 1;
    };
    this.fillsQueued += 1;
    this.queue.push(write);
    this.flush();
  }

  /** Fills waiting in the queue (not yet on disk). */
  private fillsQueued = 0;

  hedge(r: HedgeRecord): void {
    this.queue.push(() =>
      this.insert.hedge.run(
        r.at,
        r.fromVenue,
        r.venue,
        r.side,
        r.requested,
        r.filled,
        r.attempt,
        r.latencyMs,
        r.decisionPrice,
        r.avgPrice ?? null,
        r.error ?? null,
        r.clientId
      )
    );
  }

  decision(r: DecisionRecord): void {
    this.queue.push(() => this.insert.decision.run(r.at, r.action, r.combo, r.direction, r.venue, r.side, r.price, r.qty, r.reason, r.latencyMs ?? null));
  }

  /**
   * Writes the queued records in one transaction. Never throws (it runs from timers): a batch the
   * database refuses stays queued, nothing journaled is lost, and the failure is reported.
   */
  flush(): boolean {
    if (this.queue.length === 0 || this.closed) return true;
    const batch = this.queue;
    this.queue = [];
    try {
      this.db.exec('BEGIN');
      try {
        for (const write of batch) write();
        this.db.exec('COMMIT');
      } catch (error) {
        try {
          this.db.exec('ROLLBACK');
        } catch {
          // Nothing to roll back (BEGIN failed, or the transaction is gone): the batch is kept below.
        }
        throw error;
      }
      this.fillsQueued = 0;
      this.failingSince = null;
      return true;
    } catch (error) {
      // Keep the batch: nothing journaled may be lost because one write failed.
      this.queue = batch.concat(this.queue);
      this.failures += 1;
      const now = Date.now();
      this.failingSince ??= now;
      const fillsAtRisk = this.fillsQueued > 0 && now - this.failingSince >= 5000;
      if (now - this.lastReportAt >= 10_000 || (fillsAtRisk && this.lastReportAt < this.failingSince + 5000)) {
        this.lastReportAt = now;
        this.options.onError?.(
          `journal write failed for ${Math.round((now - this.failingSince) / 1000)} s (${this.queue.length} records waiting): ${(error as Error).message}`,
          fillsAtRisk
        );
      }
      return false;
    }
  }

  /**
   * Keeps the journal bounded: decisions, orders and replies older than the cut-off go (they are
   * the bulk: every quote and cancel); fills and hedges stay, since PnL and slippage history are
   * built from them. Returns how many rows went.
   */
  prune(before: number): number {
    this.flush();
    let removed = 0;
    try {
      for (const table of ['decisions', 'orders', 'replies']) {
        removed += Number(this.db.prepare(`DELETE FROM ${table} WHERE at < ?`).run(before).changes);
      }
    } catch (error) {
      this.options.onError?.(`journal prune failed: ${(error as Error).message}`, false);
    }
    return removed;
  }

  private pruneTimer: NodeJS.Timeout | null = null;

  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.flush();
    this.closed = true;
    this.db.close();
  }

  // ---- reads (history views, tests) ----

  rows(table: 'orders' | 'replies' | 'fills' | 'hedges' | 'decisions', limit = 1000): Row[] {
    return this.db.prepare(`SELECT * FROM ${table} ORDER BY id DESC LIMIT ?`).all(limit) as Row[];
  }

  /** The round-trip aggregate, brought up to date with each call from the fills written since. */
  private trips: {
    lastId: number;
    positions: Record<string, Position>;
    open: { openedAt: number; fills: number; pnl: Decimal; fees: Decimal } | null;
    done: RoundTrip[];
    pnl: Decimal;
    fees: Decimal;
  } = {
    lastId: 0,
    positions: { L: { qty: ZERO, avgEntry: ZERO }, E: { qty: ZERO, avgEntry: ZERO } },
    open: null,
    done: [],
    pnl: ZERO,
    fees: ZERO
  };

  /**
   * Round trips from the journaled fills, in the order they were written: a round trip starts when
   * either leg leaves flat and ends when both legs are flat again; its PnL is what both legs
   * realised in between (average-cost method, fees deducted). Kept as a running aggregate: each
   * call reads only the fills written since the last one, so its cost does not grow with history.
   */
  roundTrips(): RoundTrip[] {
    const agg = this.trips;
    const fills = this.db.prepare('SELECT id, venue, at, side, qty, price, fee FROM fills WHERE id > ? ORDER BY id').all(agg.lastId) as Array<{
      id: number;
      venue: string;
      at: number;
      side: string;
      qty: string;
      price: string;
      fee: string | null;
    }>;
    for (const fill of fills) {
      agg.lastId = fill.id;
      const signed = new Decimal(fill.qty).times(fill.side === 'buy' ? 1 : -1);
      const fee = new Decimal(fill.fee ?? '0');
      const before = agg.positions[fill.venue] ?? { qty: ZERO, avgEntry: ZERO };
      const next = positionAfterFill(before, signed, new Decimal(fill.price));
      agg.positions[fill.venue] = { qty: next.qty, avgEntry: next.avgEntry };
      agg.open ??= { openedAt: fill.at, fills: 0, pnl: ZERO, fees: ZERO };
      agg.open.fills += 1;
      agg.open.pnl = agg.open.pnl.plus(next.realised).minus(fee);
      agg.open.fees = agg.open.fees.plus(fee);
      if (Object.values(agg.positions).every((position) => position.qty.isZero())) {
        agg.done.push({ openedAt: agg.open.openedAt, closedAt: fill.at, fills: agg.open.fills, pnl: agg.open.pnl.toString(), fees: agg.open.fees.toString() });
        agg.pnl = agg.pnl.plus(agg.open.pnl);
        agg.fees = agg.fees.plus(agg.open.fees);
        agg.open = null;
      }
    }
    return agg.done;
  }

  /** Each filled hedge against the price seen when it was decided. */
  hedgeSlippage(limit = 1000): HedgeSlippage[] {
    const rows = this.db
      .prepare('SELECT at, venue, side, filled, decision_price, avg_price FROM hedges WHERE avg_price IS NOT NULL ORDER BY id DESC LIMIT ?')
      .all(limit) as Array<{ at: number; venue: string; side: string; filled: string; decision_price: string; avg_price: string }>;
    return rows.map((row) => {
      const decision = new Decimal(row.decision_price);
      const paid = new Decimal(row.avg_price);
      const worse = row.side === 'buy' ? paid.minus(decision) : decision.minus(paid);
      return {
        at: row.at,
        venue: row.venue,
        side: row.side,
        filled: row.filled,
        decisionPrice: row.decision_price,
        avgPrice: row.avg_price,
        slippageBps: worse.div(decision).times(10_000).toDecimalPlaces(4).toString()
      };
    });
  }

  /** Everything the performance panel shows, newest first, from what is already written. */
  /**
   * One table as CSV: times as ISO 8601 UTC, decimals as plain strings (never exponents), in
   * the order written. Read 5,000 rows at a time with a yield between slices, so that exporting a
   * large journal never holds the engine's event loop for long; at most EXPORT_MAX_ROWS rows.
   */
  async exportCsv(request: JournalExport): Promise<{ rows: number; truncated: boolean; csv: string }> {
    this.flush();
    const from = request.from ?? 0;
    const to = request.to ?? Number.MAX_SAFE_INTEGER;
    if (request.table === 'trips') {
      const trips = this.roundTrips().filter((trip) => trip.closedAt >= from && trip.closedAt < to);
      const lines = trips.map((trip) => [iso(trip.openedAt), iso(trip.closedAt), trip.fills, plain(trip.pnl), plain(trip.fees)].map(csvCell).join(','));
      return { rows: trips.length, truncated: false, csv: [['opened_at', 'closed_at', 'fills', 'pnl', 'fees'].join(','), ...lines].join('\n') };
    }
    const spec = EXPORTS[request.table];
    const statement = this.db.prepare(
      `SELECT id, ${spec.columns.join(', ')} FROM ${request.table} WHERE id > ? AND at >= ? AND at < ? ORDER BY id LIMIT ${EXPORT_SLICE}`
    );
    const lines = [spec.columns.join(',')];
    let lastId = 0;
    let rows = 0;
    for (;;) {
      const slice = statement.all(lastId, from, to) as Row[];
      for (const row of slice) {
        lines.push(spec.columns.map((column) => csvCell(spec.format(column, row[column] ?? null))).join(','));
        lastId = Number(row.id);
      }
      rows += slice.length;
      if (slice.length < EXPORT_SLICE) break;
      if (rows >= EXPORT_MAX_ROWS) {
        // Full: say so only when there is more.
        const more = statement.all(lastId, from, to).length > 0;
        return { rows, truncated: more, csv: lines.join('\n') };
      }
      // Let the engine run between slices.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { rows, truncated: false, csv: lines.join('\n') };
  }

  history(limit: number): HistoryView {
    this.flush();
    const roundTrips = this.roundTrips();
    const fills = (
      this.db.prepare('SELECT fill_id, at, venue, side, qty, price, maker, order_id, fee FROM fills ORDER BY id DESC LIMIT ?').all(limit) as Array<
        Record<string, string | number | null>
      >
    ).map((row): FillView => ({
      id: String(row.fill_id),
      at: Number(row.at),
      venue: row.venue as VenueId,
      side: row.side as Side,
      qty: String(row.qty),
      price: String(row.price),
      maker: row.maker === 1,
      orderId: String(row.order_id),
      fee: row.fee === null ? null : String(row.fee)
    }));
    const hedges = (this.db.prepare('SELECT * FROM hedges ORDER BY id DESC LIMIT ?').all(limit) as Array<Record<string, string | number | null>>).map(
      (row): HedgeView => {
        let slippage: string | null = null;
        if (row.avg_price !== null) {
          const decision = new Decimal(String(row.decision_price));
          const paid = new Decimal(String(row.avg_price));
          slippage = (row.side === 'buy' ? paid.minus(decision) : decision.minus(paid)).div(decision).times(10_000).toDecimalPlaces(4).toString();
        }
        return {
          at: Number(row.at),
          fromVenue: row.from_venue as VenueId,
          venue: row.venue as VenueId,
          side: row.side as Side,
          requested: String(row.requested),
          filled: String(row.filled),
          attempt: Number(row.attempt),
          latencyMs: Number(row.latency_ms),
          decisionPrice: String(row.decision_price),
          avgPrice: row.avg_price === null ? null : String(row.avg_price),
          slippageBps: slippage,
          error: row.error === null ? null : String(row.error)
        };
      }
    );
    const { pnl, fees } = this.trips;
    const slippages = hedges.filter((h) => h.slippageBps !== null).map((h) => new Decimal(h.slippageBps as string));
    return {
      roundTrips: roundTrips.slice(-limit).reverse(),
      fills,
      hedges,
      totals: {
        realisedPnl: pnl.toString(),
        fees: fees.toString(),
        roundTrips: roundTrips.length,
        fills: this.count('fills'),
        hedges: this.count('hedges'),
        avgSlippageBps: slippages.length
          ? slippages
              .reduce((a, b) => a.plus(b), ZERO)
              .div(slippages.length)
              .toDecimalPlaces(4)
              .toString()
          : null
      }
    };
  }

  count(table: 'orders' | 'replies' | 'fills' | 'hedges' | 'decisions'): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  }
}
