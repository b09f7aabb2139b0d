/**
 * The one typed contract between the engine (main process or headless host) and every view.
 * Everything that crosses it is plain JSON: decimals travel as strings so that no price or size
 * ever passes through a JS float on the way to the screen.
 */
import type { Command, CommandResult, QueryRequest, QueryResult } from './commands';
import type { StrategyParams } from './params';

export type { Command, CommandResult, QueryRequest, QueryResult, StrategyParams };

/** A decimal number written as a string, e.g. "3012.45". Parse it with decimal.js, never Number(). */
export type DecimalString = string;
export type VenueId = 'L' | 'E';
export type Side = 'buy' | 'sell';
export type Mode = 'DEMO' | 'PAPER' | 'TESTNET' | 'MAINNET';

export type StartupStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';
export interface StartupStep {
  /** 1..7, as in strategy.md "Start-up". */
  id: number;
  label: string;
  status: StartupStatus;
  detail?: string;
  /** Epoch ms of the last status change. */
  at?: number;
}

export type AlarmKind =
  | 'hedge_exhausted'
  | 'stale_book'
  | 'disconnect'
  | 'order_rejected'
  | 'tt_imbalance'
  | 'startup_failed'
  /** An order whose send lost its answer was not settled by the venue's record in time. */
  | 'order_unknown'
  /** Exposure the engine could not explain (the invariant of strategy.md), or a position corrected by reconciliation. */
  | 'exposure_leak'
  /** A kill whose sweep has not yet seen both venues without an open order of ours. */
  | 'kill_incomplete'
  /** A venue reported a fill that cannot be true (size or price not positive, price far from the book): refused. */
  | 'bad_fill'
  /** A hedge larger than any position the strategy builds (MAX_POSITION_VALUE + ORDER_VALUE): not sent, held for the trader. */
  | 'hedge_held'
  /** Unhedged exposure at or above minHedgeQty longer than HEDGE_ALARM_MS: names the refused or failed attempts. */
  | 'hedge_delayed'
  /** A fill or order on the account that this engine did not send (another bot, the web app): never counted. */
  | 'foreign_activity'
  | 'internal';

/** A next step offered on an alarm; the console confirms before sending the command. */
export interface AlarmAction {
  label: string;
  command: 'flatten' | 'hedgeUnhedged';
}

export interface Alarm {
  id: string;
  kind: AlarmKind;
  message: string;
  at: number;
  acknowledged: boolean;
  /** When the condition ended (a venue reconnected, a book updated again); null while it lasts. It stays listed until acknowledged. */
  clearedAt: number | null;
  /** What the trader can do next, as buttons on the alarm. */
  actions: AlarmAction[];
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface SafetyView {
  /** The trader's intent. */
  armed: boolean;
  /** armed AND both venues connected AND both books fresh. */
  effectiveQuoting: boolean;
  /** Why quoting is off while armed (empty when quoting or disarmed). */
  blockedBy: string[];
}

export type ComboKey = 'TT_LE' | 'MT_LE' | 'TM_LE' | 'TT_EL' | 'MT_EL' | 'TM_EL';
export const COMBO_KEYS: readonly ComboKey[] = ['TT_LE', 'MT_LE', 'TM_LE', 'TT_EL', 'MT_EL', 'TM_EL'];
export type Direction = 'LE' | 'EL';
export type DecisionAction = 'MAKE' | 'TAKE' | 'CANCEL' | 'NONE';

export interface BookLevelView {
  price: DecimalString;
  size: DecimalString;
}
export interface BookView {
  ready: boolean;
  /** Best first. */
  bids: BookLevelView[];
  asks: BookLevelView[];
  /** Epoch ms of the last update. */
  updatedAt: number;
  /** The venue's price and size precision (decimals of the tick and the size step): figures are shown padded to them. */
  priceDecimals: number;
  sizeDecimals: number;
}

export interface SpreadsView {
  /** Percent of the buy leg's price, raw. */
  raw: Record<ComboKey, DecimalString>;
  /** Net of both legs' fees. */
  net: Record<ComboKey, DecimalString>;
  /** The INV spread of the open inventory (percent). */
  inv: DecimalString;
  /** Combos over their threshold right now (entry: MIN_SPREAD; exit: SPREAD_TP with INV). */
  qualifying: ComboKey[];
  /** Consecutive qualifying book updates of the TT combos (entry and exit counters). */
  ttHits: Record<string, number>;
}

export interface InventoryView {
  invL: DecimalString;
  invE: DecimalString;
  entryL: DecimalString;
  entryE: DecimalString;
  /** invL + invE. */
  net: DecimalString;
  unhedgedL: DecimalString;
  unhedgedE: DecimalString;
  minHedgeQty: DecimalString | null;
  /** max(|invL|·entryL, |invE|·entryE). */
  positionValue: DecimalString;
  maxPositionValue: DecimalString;
  realisedPnl: DecimalString;
  /** The maker bias (current_direction). */
  currentDirection: ComboKey | null;
  /** Why the inventory cannot be exited (below a venue's min size or value), or null: dust yields no decision. */
  dust: string | null;
  /** Hedge and TT legs still to fill (signed; unknown legs at their requested size): unhedged_L + unhedged_E = net + this. */
  legsInFlight: string;
  /** Orders whose outcome the venues have not settled yet. */
  unknownOrders: number;
}

export interface LiveOrderView {
  clientId: string;
  venue: VenueId;
  side: Side;
  price: DecimalString;
  qty: DecimalString;
  filledQty: DecimalString;
  combo: ComboKey;
  status: 'placing' | 'live' | 'cancelling' | 'unknown';
  placedAt: number;
}

/**
 * A venue's position card: size and entry from our fills, mark and unrealised PnL live from the
 * book, margin, liquidation and funding as the venue last reported them (`asOf`). Null where
 * unknown (flat, or not reported by the venue).
 */
export interface PositionView {
  qty: DecimalString;
  entry: DecimalString | null;
  mark: DecimalString | null;
  unrealisedPnl: DecimalString | null;
  venueUnrealisedPnl: DecimalString | null;
  marginUsed: DecimalString | null;
  available: DecimalString | null;
  equity: DecimalString | null;
  liquidationPrice: DecimalString | null;
  liquidationDistancePercent: DecimalString | null;
  fundingRatePercentPerHour: DecimalString | null;
  /** At the current rate, per day: + the position pays, - it receives. */
  fundingPerDay: DecimalString | null;
  fundingAccrued: DecimalString | null;
  asOf: number | null;
  /** Why the last read failed (the figures are then the last good ones). */
  error: string | null;
}

/** One order the engine sent, as the blotter and the open-orders table show it. */
export interface OrderView {
  clientId: string;
  venue: VenueId;
  purpose: 'maker' | 'hedge' | 'tt' | 'manual' | 'flatten' | 'adopted';
  side: Side;
  /** Limit price (post-only) or worst price (market); null when unknown (adopted). */
  price: DecimalString | null;
  qty: DecimalString;
  /** Filled as counted from the fills, and their average price (null before a fill). */
  filled: DecimalString;
  avgPrice: DecimalString | null;
  /** pending: sent, no answer; open/partially_filled: resting; unknown: answer lost; finished: final status known. */
  state: 'pending' | 'open' | 'partially_filled' | 'unknown' | 'finished';
  finalStatus: 'filled' | 'cancelled' | 'rejected' | 'expired' | 'open' | 'partially_filled' | null;
  sentAt: number;
  finalAt: number | null;
  /** Send to answer, ms (null until answered). */
  latencyMs: number | null;
  /**
   * Market orders: the average price against the book's best when it was sent, in the order's
   * disfavour (positive = paid more / received less); null without a fill or a reference.
   */
  slippage: DecimalString | null;
  /** Hedge and TT legs: the venue whose exposure the leg carries. */
  legOn: VenueId | null;
  /** The venue's last word on it (refusal reason, unknown outcome). */
  detail: string;
}

export interface DecisionView {
  at: number;
  action: DecisionAction;
  combo: ComboKey | null;
  direction: 'entry' | 'exit' | null;
  venue: VenueId | null;
  side: Side | null;
  price: DecimalString | null;
  qty: DecimalString | null;
  reason: string;
  /** Time from the book update to the order handed to the venue, when an order went out. */
  latencyMs?: number;
}

export interface VenueHealthView {
  connected: boolean;
  bookAgeMs: number | null;
  bookMessages: number;
  lastOrderLatencyMs: number | null;
  rateLimitHeadroom: number | null;
  rateLimited: number;
  /** The account tier and the venue's delay of each kind of order, when the venue has tiers. */
  tier: { name: string; makerDelayMs: number; takerDelayMs: number; cancelDelayMs: number } | null;
  /** The fee rates (fractions of notional) the engine's net spreads use: the configured schedule. */
  fees: { maker: DecimalString; taker: DecimalString };
}

export interface EngineSnapshot {
  /** Increases by one with every published snapshot. */
  seq: number;
  /** Epoch ms when this snapshot was taken (engine clock). */
  at: number;
  mode: Mode;
  startedAt: number;
  /** Increases on every engine heartbeat, so a view can tell a live engine from a frozen one. */
  heartbeat: number;
  safety: SafetyView;
  hedgeSeeded: boolean;
  startup: StartupStep[];
  params: StrategyParams;
  /** Active alarms, newest first, kept until acknowledged. */
  alarms: Alarm[];
  books: Record<VenueId, BookView | null>;
  spreads: SpreadsView | null;
  inventory: InventoryView;
  liveOrder: LiveOrderView | null;
  /** Working orders (open, pending or of unknown outcome), newest first; and the last settled ones, newest first. */
  orders: { open: OrderView[]; recent: OrderView[] };
  /** Per venue: the position card. */
  positions: Record<VenueId, PositionView>;
  lastDecision: DecisionView | null;
  venues: Record<VenueId, VenueHealthView>;
}

export type EngineEvent =
  | { type: 'log'; at: number; level: LogLevel; source: string; message: string }
  | { type: 'alarm'; alarm: Alarm }
  | { type: 'startup'; step: StartupStep }
  | { type: 'decision'; decision: DecisionView }
  | {
      type: 'hedge';
      at: number;
      venue: VenueId;
      side: Side;
      requested: DecimalString;
      filled: DecimalString;
      attempt: number;
      latencyMs: number;
      error?: string;
    }
  | { type: 'command'; at: number; command: Command['type']; ok: boolean; message: string }
  | { type: 'strategyLog'; log: StrategyLogName; at: number; line: string };

export type StrategyLogName = 'spread' | 'maker' | 'hedge' | 'realtime';

export interface RoundTripView {
  openedAt: number;
  closedAt: number;
  fills: number;
  /** Realised before fees, the fees, and net of them. */
  gross: DecimalString;
  fees: DecimalString;
  pnl: DecimalString;
}

export interface FillView {
  id: string;
  at: number;
  venue: VenueId;
  side: Side;
  qty: DecimalString;
  price: DecimalString;
  maker: boolean;
  orderId: string;
  fee: DecimalString | null;
  /** True when the venue reported no fee and the configured rate was applied. */
  feeEstimated: boolean;
}

export interface HedgeView {
  at: number;
  fromVenue: VenueId;
  venue: VenueId;
  side: Side;
  requested: DecimalString;
  filled: DecimalString;
  attempt: number;
  latencyMs: number;
  decisionPrice: DecimalString;
  avgPrice: DecimalString | null;
  /** Positive = filled worse than the price seen when the hedge was decided. */
  slippageBps: DecimalString | null;
  error: string | null;
}

/** The trade journal's history, for the performance panel. */
export interface HistoryView {
  roundTrips: RoundTripView[];
  fills: FillView[];
  hedges: HedgeView[];
  /** Realised over closed round trips: gross, the fees, and net (realisedPnl = grossPnl - fees). */
  totals: {
    grossPnl: DecimalString;
    realisedPnl: DecimalString;
    fees: DecimalString;
    roundTrips: number;
    fills: number;
    hedges: number;
    avgSlippageBps: DecimalString | null;
  };
}

/** What a viewer receives, in order: one snapshot first, then recent events, then live traffic. */
/** One sample of the six raw spreads (percent of the buy price), for the chart. */
export interface SpreadSample {
  t: number;
  raw: Record<ComboKey, DecimalString>;
}

/**
 * What the host keeps for a viewer that (re)connects, so that a reload does not wipe the chart and
 * the decisions: the spread samples of the last minutes (oldest first) and the last decisions
 * (newest first).
 */
export interface ViewHistory {
  spreads: SpreadSample[];
  decisions: DecisionView[];
}

export type HostMessage = { kind: 'snapshot'; snapshot: EngineSnapshot } | { kind: 'event'; event: EngineEvent } | { kind: 'history'; history: ViewHistory };

/** The API a view uses, whatever the transport (Electron IPC or the headless WebSocket). */
export interface ConsoleApi {
  /** Starts the stream; the listener gets the full current snapshot first. Returns an unsubscribe. */
  subscribe(listener: (message: HostMessage) => void): () => void;
  command(command: Command): Promise<CommandResult>;
  /** Reads that change nothing (the journal's history). */
  query(request: QueryRequest): Promise<QueryResult>;
}

/** Electron IPC channel names. */
export const IPC = {
  subscribe: 'lx:subscribe',
  unsubscribe: 'lx:unsubscribe',
  command: 'lx:command',
  query: 'lx:query',
  message: 'lx:message'
} as const;

/** Frames of the headless WebSocket bridge. */
/** The first frame on a headless console's WebSocket is `auth`: nothing else is read before it. */
export type BridgeClientFrame =
  { kind: 'auth'; token: string } | { kind: 'command'; id: number; command: unknown } | { kind: 'query'; id: number; request: unknown };
export type BridgeServerFrame = HostMessage | { kind: 'result'; id: number; result: CommandResult } | { kind: 'queryResult'; id: number; result: QueryResult };
