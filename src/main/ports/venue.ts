/**
 * The one interface every venue implements: the Lighter and Extended adapters, the emulator-backed
 * demo and the in-memory venue of tests, benchmarks and replays. Adapters translate their wire
 * protocol into these types; the engine owns all trading state.
 */
import type Decimal from 'decimal.js';
import type { Side, VenueId } from '../../shared/contract';
import type { OrderBook } from '../kernel/book';
import type { Position } from '../kernel/position';

export type { Position };

export type { Side, VenueId };

/** Market constraints, already converted from the venue's own conventions. */
export interface MarketInfo {
  symbol: string;
  /** Smallest order size (base units). */
  minSize: Decimal;
  /** Smallest size increment the venue accepts for a change (Extended minOrderSizeChange). */
  minSizeChange: Decimal;
  /** Smallest order value (quote units). */
  minValue: Decimal;
  sizeStep: Decimal;
  priceTick: Decimal;
}

/** One fill, as a signed delta of our position. */
export interface FillDelta {
  /** Unique per fill on this venue (trade id, or order id + cumulative filled quantity). */
  id: string;
  venue: VenueId;
  /** Signed base quantity: > 0 we bought, < 0 we sold. */
  qty: Decimal;
  price: Decimal;
  /** True when our order was the resting (maker) side. */
  maker: boolean;
  /** The venue's order id, or our client id when that is what the venue reports. */
  orderId: string;
  /** Fee paid in quote units (negative = rebate), when the venue reports it. */
  fee?: Decimal;
  /** Clock ms when the adapter received it. */
  receivedAt: number;
  /** When the venue says the trade happened (ms), where it says so (REST trades, the start-up backfill). */
  at?: number;
}

export type OrderStatus = 'open' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

export interface OrderUpdate {
  venue: VenueId;
  /** Our client id for the order (the engine's key). */
  clientId: string;
  status: OrderStatus;
  /** Cumulative filled quantity (base units, unsigned). */
  filledQty: Decimal;
  /** Why it ended, e.g. "post-only would cross". */
  reason?: string;
  /** The venue's own id for the order, when the update carries it. */
  venueOrderId?: string;
  receivedAt: number;
}

export type CancelAllUrgency = 'kill' | 'sweep';

export interface PostOnlyRequest {
  clientId: string;
  side: Side;
  price: Decimal;
  qty: Decimal;
}

/** A "market" order: an IOC limit at `worstPrice` (neither venue takes price-less orders). */
export interface MarketRequest {
  clientId: string;
  side: Side;
  qty: Decimal;
  worstPrice: Decimal;
}

/**
 * How a call failed. `rejected`, `not_found`, `rate_limited` and `invalid` are the venue's (or our)
 * definite answer: the order did not execute (or, for a cancel, the order is not resting). `network`
 * is a request that never reached the venue. `unknown` is a send whose answer was lost (timeout,
 * connection dropped after sending, empty or cut reply): it MAY have executed, and only the venue's
 * record settles it (strategy.md "Order and exposure truth").
 */
export type OrderErrorKind = 'rejected' | 'not_found' | 'rate_limited' | 'network' | 'timeout' | 'invalid' | 'unknown';

/** True when a failed send may still have executed at the venue. */
export function outcomeUnknown(error: unknown): boolean {
  if (!(error instanceof VenueOrderError)) return true;
  return error.kind === 'unknown' || error.kind === 'timeout';
}

export class VenueOrderError extends Error {
  constructor(
    readonly venue: VenueId,
    readonly kind: OrderErrorKind,
    message: string,
    /** The venue's own error code, when it gave one. */
    readonly code?: string | number,
    /** The HTTP status of the answer, when it came over HTTP. */
    readonly httpStatus?: number
  ) {
    super(`${venue}: ${kind}: ${message}`);
    this.name = 'VenueOrderError';
  }
}

export interface OrderAck {
  clientId: string;
  /** The venue's id for the order, when it gives one at once. */
  venueOrderId?: string;
}

export interface MarketResult {
  clientId: string;
  /** What the venue reports as filled (unsigned base units); may be less than asked, or zero. */
  filledQty: Decimal;
  /** Average fill price, when known. */
  avgPrice?: Decimal;
}

/** The venue's record of one order of ours (an order report). */
export interface OrderReport {
  venue: VenueId;
  clientId: string;
  /** The venue's own id, when known. */
  venueOrderId?: string;
  status: OrderStatus;
  side?: Side;
  price?: Decimal;
  qty?: Decimal;
  /** Cumulative filled quantity (unsigned base units). */
  filledQty: Decimal;
  /** Average price of the filled part, when known. */
  avgPrice?: Decimal;
}

export interface VenueHandlers {
  /** The book changed (already applied to `venue.book`). */
  onBook(venue: VenueId): void;
  /**
   * Every fill of ours, maker and taker, counted once by the engine (by id): inventory, entry
   * prices, and (through the engine's order registry) the hedge engine's input.
   */
  onFill(fill: FillDelta): void;
  onOrderUpdate(update: OrderUpdate): void;
  /** The venue's own view of our position (reconciliation). */
  onPosition(venue: VenueId, position: Position): void;
  onConnection(venue: VenueId, connected: boolean, detail: string): void;
  /** Problems worth showing: malformed frames, resyncs, rejects. */
  onLog(venue: VenueId, level: 'info' | 'warn' | 'error', message: string): void;
  /** Activity of the account on a market this console does not trade (another bot, the web app): never ours, shown. */
  onForeignActivity?(venue: VenueId, what: string): void;
  /** A writer of the adapter's (the frame recorder) stopped: an alarm, not a log line. */
  onWriterFailed?(venue: VenueId, writer: string, message: string): void;
}

export interface VenueHealth {
  connected: boolean;
  /** Book messages applied since start. */
  bookMessages: number;
  /** Last order round trip in ms. */
  lastOrderLatencyMs?: number;
  /** Remaining request budget as a fraction 0..1, when the adapter tracks one. */
  rateLimitHeadroom?: number;
  rateLimited: number;
  /** Since when every REST request has failed (network, 5xx, not the venue's JSON, rate limit); null while REST answers. */
  restFailing?: { sinceMs: number; lastError: string } | null;
  /** The account tier and the venue's delays before orders and cancels take effect, when it has tiers. */
  tier?: { name: string; makerDelayMs: number; takerDelayMs: number; cancelDelayMs: number };
}

export interface Venue {
  readonly id: VenueId;
  readonly book: OrderBook;
  /** Known after `start` resolved. */
  readonly market: MarketInfo;
  setHandlers(handlers: VenueHandlers): void;
  /** Loads market details and opens the book and account streams. */
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): VenueHealth;
  loadPosition(): Promise<Position>;
  placePostOnly(request: PostOnlyRequest): Promise<OrderAck>;
  /**
   * Resolves with the quantity the venue reports as filled. Rejects with a VenueOrderError whose
   * kind says whether it may have executed (`outcomeUnknown`).
   */
  sendMarket(request: MarketRequest): Promise<MarketResult>;
  /** Resolves when the venue accepted the cancel; `not_found` when no such order rests. */
  cancel(clientId: string): Promise<void>;
  /**
   * Cancels every order of ours on the market (the venue may reach further: Lighter's cancel-all
   * covers every market of the account). `kill`: a kill's first cancel-all, ahead of everything in
   * the request budget; `sweep`: the sweep's later ones, behind hedges.
   */
  cancelAll(urgency?: CancelAllUrgency): Promise<void>;
  /** The venue's record of one order by our client id; null when the venue has none. */
  queryOrder(clientId: string): Promise<OrderReport | null>;
  /** Our open orders on the market, as the venue lists them. */
  openOrders(): Promise<OrderReport[]>;
  /**
   * The venue's trades of one order of ours (its REST record), as fills with the same ids the
   * account stream gives them: a fill the stream lost is counted once when the engine fetches it.
   */
  orderFills(order: { clientId: string; venueOrderId?: string }): Promise<FillDelta[]>;
  /**
   * The account's trades on the market since `sinceMs` (venue time), newest first as far as the
   * venue keeps them, with the stream's fill ids: the start-up backfill of the journal (fills made
   * while the engine was stopped are in the positions already, but must be in the record too).
   */
  recentFills(sinceMs: number): Promise<FillDelta[]>;
  /** The account as the venue reports it (margin, liquidation, funding); venues that report none leave it out. */
  accountView?(): Promise<VenueAccountView>;
}

/**
 * What the venue says of our account and position beyond its size and entry, read over REST
 * (every 30 s: the request budgets allow it). Null where the venue reports nothing.
 */
export interface VenueAccountView {
  /** The venue's mark price and its unrealised PnL of the position. */
  markPrice: Decimal | null;
  unrealisedPnl: Decimal | null;
  /** Margin the position uses, and collateral still free for new positions (quote units). */
  marginUsed: Decimal | null;
  available: Decimal | null;
  equity: Decimal | null;
  /** Null when flat, or when the venue reports none ("0"). */
  liquidationPrice: Decimal | null;
  /** Funding rate per hour as a fraction (both venues settle funding hourly). */
  fundingRate: Decimal | null;
  /** Funding paid (+) or received (-) on the open position so far, as the venue reports it. */
  fundingAccrued: Decimal | null;
}
