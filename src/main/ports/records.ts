/**
 * What the engine records: the strategy logs (spread, maker, hedge, realtime) and the trade
 * journal take these records. Both have in-memory and file/SQLite implementations.
 */
import type { ComboKey, DecisionView, FillView, HistoryView, Side, VenueId } from '../../shared/contract';

export interface OrderRecord {
  at: number;
  clientId: string;
  venue: VenueId;
  kind: 'post_only' | 'market' | 'cancel' | 'cancel_all';
  side?: Side;
  price?: string;
  qty?: string;
  purpose: 'maker' | 'tt' | 'hedge' | 'manual' | 'flatten' | 'kill';
  combo?: ComboKey | null;
}

export interface ReplyRecord {
  at: number;
  clientId: string;
  venue: VenueId;
  ok: boolean;
  detail: string;
  latencyMs: number;
  filledQty?: string;
}

/**
 * A fill as journaled: the view's fields; its fee as the venue reported it or as the configured rate
 * estimated it (`feeEstimated`); `refused` says why the engine did not count it (impossible for its
 * order, foreign), kept so that the journal holds everything the venues said.
 */
export type FillRecord = Omit<FillView, 'fee' | 'feeEstimated'> & {
  fee?: string;
  feeEstimated?: boolean;
  refused?: string;
  /** Read from the venue's trades at start-up: made while the engine was stopped (inside the positions read then). */
  backfilled?: boolean;
};

export interface HedgeRecord {
  at: number;
  /** The venue whose maker fill is being hedged. */
  fromVenue: VenueId;
  venue: VenueId;
  side: Side;
  requested: string;
  filled: string;
  attempt: number;
  latencyMs: number;
  /** Best opposite price when the hedge was decided, to measure slippage. */
  decisionPrice: string;
  avgPrice?: string;
  error?: string;
  clientId: string;
}

/** An executed decision as journaled: exactly what the views show. */
export type DecisionRecord = DecisionView;

export interface TradeJournal {
  order(record: OrderRecord): void;
  reply(record: ReplyRecord): void;
  fill(record: FillRecord): void;
  hedge(record: HedgeRecord): void;
  decision(record: DecisionRecord): void;
  /** When the newest counted fill of a venue happened (the start-up backfill starts there); journals that keep none leave it out. */
  lastFillAt?(venue: VenueId): number | null;
  /** The history views; journals that keep no history leave it out. */
  history?(limit: number): HistoryView;
  /** One table as CSV, read in slices so that a large journal never holds the event loop; journals that keep no history leave it out. */
  exportCsv?(request: JournalExport): Promise<{ rows: number; truncated: boolean; csv: string }>;
  close(): Promise<void>;
}

export interface StrategyLogs {
  /** One spread evaluation worth recording. */
  spread(line: string): void;
  /** An order sent or cancelled: decision, payload, venue reply, latency. */
  maker(line: string): void;
  /** A hedge attempt; shown newest first. */
  hedge(line: string): void;
  /** The current state, replacing the previous one. */
  realtime(text: string): void;
  close(): Promise<void>;
}

export const nullJournal: TradeJournal = {
  order: () => undefined,
  reply: () => undefined,
  fill: () => undefined,
  hedge: () => undefined,
  decision: () => undefined,
  close: async () => undefined
};

export class MemoryJournal implements TradeJournal {
  orders: OrderRecord[] = [];
  replies: ReplyRecord[] = [];
  fills: FillRecord[] = [];
  hedges: HedgeRecord[] = [];
  decisions: DecisionRecord[] = [];
  order(record: OrderRecord) {
    this.orders.push(record);
  }
  reply(record: ReplyRecord) {
    this.replies.push(record);
  }
  fill(record: FillRecord) {
    // One row per venue and fill id, as the SQLite journal's unique key keeps it.
    if (this.fills.some((fill) => fill.venue === record.venue && fill.id === record.id)) return;
    this.fills.push(record);
  }
  hedge(record: HedgeRecord) {
    this.hedges.push(record);
  }
  decision(record: DecisionRecord) {
    this.decisions.push(record);
  }
  lastFillAt(venue: VenueId): number | null {
    const times = this.fills.filter((fill) => fill.venue === venue && !fill.refused).map((fill) => fill.at);
    return times.length === 0 ? null : Math.max(...times);
  }
  async close() {}
}

export class MemoryLogs implements StrategyLogs {
  spreadLines: string[] = [];
  makerLines: string[] = [];
  hedgeLines: string[] = [];
  realtimeText = '';
  spread(line: string) {
    this.spreadLines.push(line);
  }
  maker(line: string) {
    this.makerLines.push(line);
  }
  hedge(line: string) {
    this.hedgeLines.unshift(line);
  }
  realtime(text: string) {
    this.realtimeText = text;
  }
  async close() {}
}

export interface JournalExport {
  table: 'fills' | 'hedges' | 'orders' | 'trips';
  /** Epoch ms, from inclusive, to exclusive; the whole journal when absent. */
  from?: number;
  to?: number;
}
