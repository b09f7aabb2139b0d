/**
 * The trade journal in SQLite (node:sqlite, WAL): every order sent, venue reply, fill, hedge
 * attempt and executed decision, so that history, PnL and hedge slippage survive restarts.
 * Records are queued on the hot path and written in one transaction per batch.
 */
import { chmodSync, mkdirSync } from 'node:fs';
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
  /** Realised PnL of both legs before fees, the fees, and the PnL net of them (quote units). */
  gross: string;
  fees: string;
  pnl: string;
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

export const JOURNAL_SCHEMA_VERSION = 2;

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
  `,
  // Each fill's fee says whether the venue reported it or the configured rate estimated it; a fill the
  // engine refused (impossible for its order, foreign) is kept, marked, and counted nowhere. Round
  // trips and their running totals live in the journal, so no query replays the history.
  2: `
    ALTER TABLE fills ADD COLUMN fee_estimated INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE fills ADD COLUMN refused TEXT;
    ALTER TABLE fills ADD COLUMN backfilled INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE round_trips (id INTEGER PRIMARY KEY, opened_at INTEGER NOT NULL, closed_at INTEGER NOT NULL, fills INTEGER NOT NULL,
      gross TEXT NOT NULL, fees TEXT NOT NULL, pnl TEXT NOT NULL);
    CREATE TABLE trip_state (id INTEGER PRIMARY KEY CHECK (id = 1), last_fill_id INTEGER NOT NULL, state TEXT NOT NULL);
  `
};

/** The round-trip aggregate as persisted: positions per venue, the open trip, running totals. */
interface TripState {
  positions: Record<string, { qty: string; avgEntry: string }>;
  open: { openedAt: number; fills: number; gross: string; fees: string } | null;
  gross: string;
  fees: string;
  trips: number;
}

const EMPTY_TRIP_STATE: TripState = { positions: {}, open: null, gross: '0', fees: '0', trips: 0 };
/** Fills folded into the round-trip aggregate per step (a large backlog after an upgrade never holds the loop for long). */
const TRIP_SLICE = 5000;

type Row = Record<string, string | number | null>;

const EXPORT_SLICE = 5000;
// About 10 MB of CSV: one frame to the page stays under the bridge's 16 MB per-viewer buffer cap.
const EXPORT_MAX_ROWS = 100_000;

const iso = (ms: number) => new Date(ms).toISOString();
/** A decimal as a plain string: never "1e-7". */
const plain = (text: string) => new Decimal(text).toFixed();
/**
 * One CSV cell. Text that a spreadsheet would read as a formula (=, +, -, @, tab or CR first: a
 * venue-supplied id `=HYPERLINK(...)`) gets a leading apostrophe, as OWASP advises; plain numbers
 * (a negative PnL) stay numbers.
 */
export const csvCell = (value: string | number | boolean | null) => {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The exported columns of each table, and how each is written. */
const EXPORTS: Record<'fills' | 'hedges' | 'orders', { columns: string[]; format(column: string, value: string | number | null): string | number | null }> = {
  fills: {
    columns: ['at', 'venue', 'side', 'qty', 'price', 'maker', 'fee', 'fee_estimated', 'order_id', 'fill_id', 'refused', 'backfilled'],
    format: (column, value) =>
      value === null
        ? null
        : column === 'at'
          ? iso(Number(value))
          : column === 'maker'
            ? value === 1
              ? 'maker'
              : 'taker'
            : column === 'fee_estimated'
              ? value === 1
                ? 'estimated'
                : 'reported'
              : column === 'backfilled'
                ? value === 1
                  ? 'backfilled'
                  : ''
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
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new DatabaseSync(path);
    // What the account traded is this user's only (SQLite gives its -wal and -shm the same mode).
    if (path !== ':memory:') chmodSync(path, 0o600);
    // A short busy timeout: a lock held by another process must not block the engine's event loop;
    // the batch waits and is tried again on the next flush.
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 20;');
    this.migrate();
    this.insert = {
      order: this.db.prepare('INSERT INTO orders (at, client_id, venue, kind, side, price, qty, purpose, combo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      reply: this.db.prepare('INSERT INTO replies (at, client_id, venue, ok, detail, latency_ms, filled_qty) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      fill: this.db.prepare(
        'INSERT OR IGNORE INTO fills (fill_id, venue, at, side, qty, price, maker, order_id, fee, fee_estimated, refused, backfilled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
      ),
      hedge: this.db.prepare(
        'INSERT INTO hedges (at, from_venue, venue, side, requested, filled, attempt, latency_ms, decision_price, avg_price, error, client_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
      ),
      decision: this.db.prepare(
        'INSERT INTO decisions (at, action, combo, direction, venue, side, price, qty, reason, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
      )
    };
    this.timer = setInterval(() => {
      // The round trips follow the fills off the fill path (a fill is written at once, its trip later).
      if (this.flush()) this.foldTrips();
    }, options.flushMs ?? 200);
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
      const result = this.insert.fill.run(
        r.id,
        r.venue,
        r.at,
        r.side,
        r.qty,
        r.price,
        r.maker ? 1 : 0,
        r.orderId,
        r.fee ?? null,
        r.feeEstimated ? 1 : 0,
        r.refused ?? null,
        r.backfilled ? 1 : 0
      );
      if (result.changes === 0) this.duplicatesIgnored += 1;
    };
    this.fillsQueued += 1;
    this.queue.push(write);
    this.flush();
  }

  /** When the newest counted fill of a venue happened (ms), null when the journal has none. */
  lastFillAt(venue: VenueId): number | null {
    this.flush();
    const row = this.db.prepare('SELECT MAX(at) AS at FROM fills WHERE venue = ? AND refused IS NULL').get(venue) as { at: number | null };
    return row.at;
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

  /**
   * Folds the fills written since the last fold into the round-trip aggregate, at most `TRIP_SLICE`
   * of them, in one transaction with the aggregate's state (so a crash never counts a fill twice).
   * A round trip starts when either leg leaves flat and ends when both legs are flat again; its PnL
   * is what both legs realised in between (average-cost method) less the fees. Refused fills count
   * nowhere. Returns true when it caught up.
   */
  foldTrips(): boolean {
    if (this.closed) return true;
    try {
      const saved = this.db.prepare('SELECT last_fill_id, state FROM trip_state WHERE id = 1').get() as { last_fill_id: number; state: string } | undefined;
      const lastId = saved?.last_fill_id ?? 0;
      const fills = this.db
        .prepare(`SELECT id, at, venue, side, qty, price, fee FROM fills WHERE id > ? ORDER BY id LIMIT ${TRIP_SLICE}`)
        .all(lastId) as Array<{ id: number; at: number; venue: string; side: string; qty: string; price: string; fee: string | null }>;
      if (fills.length === 0) return true;
      const refused = new Set(
        (this.db.prepare('SELECT id FROM fills WHERE id > ? AND id <= ? AND refused IS NOT NULL').all(lastId, fills.at(-1)!.id) as Array<{ id: number }>).map(
          (row) => row.id
        )
      );
      const state: TripState = saved ? (JSON.parse(saved.state) as TripState) : structuredClone(EMPTY_TRIP_STATE);
      const positions: Record<string, Position> = {};
      for (const [venue, p] of Object.entries(state.positions)) positions[venue] = { qty: new Decimal(p.qty), avgEntry: new Decimal(p.avgEntry) };
      let open = state.open ? { ...state.open, gross: new Decimal(state.open.gross), fees: new Decimal(state.open.fees) } : null;
      let gross = new Decimal(state.gross);
      let fees = new Decimal(state.fees);
      let trips = state.trips;
      const closedTrips: Array<[number, number, number, string, string, string]> = [];
      for (const fill of fills) {
        if (refused.has(fill.id)) continue;
        const signed = new Decimal(fill.qty).times(fill.side === 'buy' ? 1 : -1);
        const fee = new Decimal(fill.fee ?? '0');
        const before = positions[fill.venue] ?? { qty: ZERO, avgEntry: ZERO };
        const next = positionAfterFill(before, signed, new Decimal(fill.price));
        positions[fill.venue] = { qty: next.qty, avgEntry: next.avgEntry };
        open ??= { openedAt: fill.at, fills: 0, gross: ZERO, fees: ZERO };
        open.fills += 1;
        open.gross = open.gross.plus(next.realised);
        open.fees = open.fees.plus(fee);
        if (Object.values(positions).every((position) => position.qty.isZero())) {
          closedTrips.push([open.openedAt, fill.at, open.fills, open.gross.toString(), open.fees.toString(), open.gross.minus(open.fees).toString()]);
          gross = gross.plus(open.gross);
          fees = fees.plus(open.fees);
          trips += 1;
          open = null;
        }
      }
      const next: TripState = {
        positions: Object.fromEntries(Object.entries(positions).map(([venue, p]) => [venue, { qty: p.qty.toString(), avgEntry: p.avgEntry.toString() }])),
        open: open ? { ...open, gross: open.gross.toString(), fees: open.fees.toString() } : null,
        gross: gross.toString(),
        fees: fees.toString(),
        trips
      };
      this.db.exec('BEGIN');
      try {
        const insert = this.db.prepare('INSERT INTO round_trips (opened_at, closed_at, fills, gross, fees, pnl) VALUES (?, ?, ?, ?, ?, ?)');
        for (const trip of closedTrips) insert.run(...trip);
        this.db
          .prepare(
            'INSERT INTO trip_state (id, last_fill_id, state) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET last_fill_id = excluded.last_fill_id, state = excluded.state'
          )
          .run(fills.at(-1)!.id, JSON.stringify(next));
        this.db.exec('COMMIT');
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
      return fills.length < TRIP_SLICE;
    } catch (error) {
      this.options.onError?.(`journal round trips: ${(error as Error).message}`, false);
      return false;
    }
  }

  /** Round trips, oldest first (the newest `limit`), brought up to date first (tests, the export). */
  roundTrips(limit = 1_000_000): RoundTrip[] {
    this.flush();
    while (!this.foldTrips());
    return this.tripRows(limit);
  }

  private tripRows(limit: number, from = 0, to = Number.MAX_SAFE_INTEGER): RoundTrip[] {
    const rows = this.db
      .prepare('SELECT opened_at, closed_at, fills, gross, fees, pnl FROM round_trips WHERE closed_at >= ? AND closed_at < ? ORDER BY id DESC LIMIT ?')
      .all(from, to, limit) as Array<{ opened_at: number; closed_at: number; fills: number; gross: string; fees: string; pnl: string }>;
    return rows
      .reverse()
      .map((row) => ({ openedAt: row.opened_at, closedAt: row.closed_at, fills: row.fills, gross: row.gross, fees: row.fees, pnl: row.pnl }));
  }

  private tripTotals(): TripState {
    const saved = this.db.prepare('SELECT state FROM trip_state WHERE id = 1').get() as { state: string } | undefined;
    return saved ? (JSON.parse(saved.state) as TripState) : EMPTY_TRIP_STATE;
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
      while (!this.foldTrips()) await new Promise((resolve) => setImmediate(resolve));
      const trips = this.tripRows(EXPORT_MAX_ROWS, from, to);
      const lines = trips.map((trip) =>
        [iso(trip.openedAt), iso(trip.closedAt), trip.fills, plain(trip.gross), plain(trip.fees), plain(trip.pnl)].map(csvCell).join(',')
      );
      return {
        rows: trips.length,
        truncated: false,
        csv: [['opened_at', 'closed_at', 'fills', 'gross', 'fees', 'net_pnl'].join(','), ...lines].join('\n') + '\n'
      };
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
        return { rows, truncated: more, csv: lines.join('\n') + '\n' };
      }
      // Let the engine run between slices.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { rows, truncated: false, csv: lines.join('\n') + '\n' };
  }

  /**
   * The performance panel's history: the newest `limit` of each list and the running totals. Reads
   * what is written; the aggregate is brought up to date by one slice at most (the timer does the rest).
   */
  history(limit: number): HistoryView {
    this.flush();
    this.foldTrips();
    const roundTrips = this.tripRows(limit);
    const fills = (
      this.db
        .prepare('SELECT fill_id, at, venue, side, qty, price, maker, order_id, fee, fee_estimated FROM fills WHERE refused IS NULL ORDER BY id DESC LIMIT ?')
        .all(limit) as Array<Record<string, string | number | null>>
    ).map((row): FillView => ({
      id: String(row.fill_id),
      at: Number(row.at),
      venue: row.venue as VenueId,
      side: row.side as Side,
      qty: String(row.qty),
      price: String(row.price),
      maker: row.maker === 1,
      orderId: String(row.order_id),
      fee: row.fee === null ? null : String(row.fee),
      feeEstimated: row.fee_estimated === 1
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
    const totals = this.tripTotals();
    const slippages = hedges.filter((h) => h.slippageBps !== null).map((h) => new Decimal(h.slippageBps as string));
    return {
      roundTrips: roundTrips.reverse(),
      fills,
      hedges,
      totals: {
        grossPnl: totals.gross,
        realisedPnl: new Decimal(totals.gross).minus(totals.fees).toString(),
        fees: totals.fees,
        roundTrips: totals.trips,
        fills: (this.db.prepare('SELECT COUNT(*) AS n FROM fills WHERE refused IS NULL').get() as { n: number }).n,
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
