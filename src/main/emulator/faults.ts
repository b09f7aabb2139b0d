/**
 * Faults an emulator can inject, switchable at run time (in-process, or over the emulator's
 * control endpoint `POST /_emulator/faults`). Counters ("the next N ...") are consumed one by one.
 */
import { z } from 'zod';

export const faultSettingsSchema = z
  .object({
    /** Delay every outgoing WebSocket message by this many ms. */
    delayMs: z.number().int().min(0).max(60_000),
    /** Stop sending book updates (the connection stays open: a silent, stale feed). */
    staleFeed: z.boolean(),
    /** Break the continuity of the next N book messages (Lighter begin_nonce, Extended seq). */
    skipSequence: z.number().int().min(0).max(1000),
    /** Send every fill message twice. */
    duplicateFills: z.boolean(),
    /** Hold each fill message back and send it after the next one. */
    reorderFills: z.boolean(),
    /** Reject the next N new orders with the venue's real error code. */
    rejectOrders: z.number().int().min(0).max(100_000),
    /** Reject the next N new taker orders (IOC: hedges, TT legs) only; quotes go through. */
    rejectTakerOrders: z.number().int().min(0).max(100_000),
    /** Answer the next N REST requests with 429. */
    rateLimit: z.number().int().min(0).max(100_000),
    /** Answer the next N REST requests with a 500 error. */
    restErrors: z.number().int().min(0).max(100_000),
    /** Delay every REST answer by this many ms. */
    slowRestMs: z.number().int().min(0).max(60_000),
    /** When a cancel reaches a resting order, fill it first (the fill/cancel race). */
    fillDuringCancel: z.boolean(),
    /** The next N new orders execute, then the connection that carried them closes before the answer (a lost ack). */
    lostAcks: z.number().int().min(0).max(100_000),
    /** Answers to new orders are held back this long after the order executed (past the adapter's timeout). */
    ackDelayMs: z.number().int().min(0).max(120_000),
    /** After account streams are dropped, new stream connections are refused for this long (fills meanwhile only in REST). */
    accountDownMs: z.number().int().min(0).max(600_000),

    /** Half-open connections: nothing reaches the clients any more, not even pongs (the sockets stay open). */
    halfOpen: z.boolean(),
    /** Rest N post-only orders of "an earlier run" at the top of the book now (one-shot; reads back 0). */
    earlierRunOrders: z.number().int().min(0).max(100),
    /** What the venue's REST record (orders, trades) shows lags the matching by this long: a fill is on the stream first. */
    restRecordDelayMs: z.number().int().min(0).max(60_000),
    /** Extended: final ORDER frames leave filledQty and averagePrice out (both are optional in the SDK's model). */
    finalWithoutFilledQty: z.boolean(),
    /** Extended: rest one TP/SL order (type TPSL, price null), placed "in the web app", on the account now (one-shot). */
    tpslOrder: z.boolean(),
    /** Extended: a POSITION frame of another market of the account follows each of ours. */
    foreignPositions: z.boolean(),
    /** Extended: DELTA levels without `c` (the absolute size): q is the change. */
    deltaWithoutC: z.boolean(),
    /** Extended: ids as JSON strings instead of numbers (the venue sends both forms). */
    idsAsStrings: z.boolean(),
    /** Extended: the next N REST answers are HTTP 200 with status ERROR. */
    ok200Errors: z.number().int().min(0).max(100_000),
    /** Extended: the next N REST answers are an HTML page (a CDN or WAF in front: 403 or 503). */
    htmlErrors: z.number().int().min(0).max(100_000),
    /** Extended: a cancel of an order that no longer rests is refused with an undocumented code (HTTP 400), not 404. */
    cancelGoneAsRejection: z.boolean(),
    /** Lighter: a refused WS tx comes back as an error frame without the tx's id (else as jsonapi/sendtx with its code). */
    idlessTxErrors: z.boolean(),
    /** Lighter: "invalid nonce" comes as {"code":400,"message":"invalid nonce"} (else as 21104). */
    nonceErrorAs400: z.boolean(),
    /** Lighter: account channel updates are flat lists instead of objects keyed by market. */
    flatLists: z.boolean(),
    /** Lighter: a trade of another market of the account now (one-shot). */
    foreignTrade: z.boolean(),
    /** Lighter: every public trade push repeats the trades of the previous one. */
    repeatPublicTrades: z.boolean(),
    /** Lighter: a scheduled cancel-all while one is queued is refused (21712). */
    refuseSecondCancelAll: z.boolean(),
    /** Lighter: the next N account subscriptions are refused (20013, as for a bad token). */
    refuseSubscriptions: z.number().int().min(0).max(100_000),
    /** Taker (IOC) orders take effect this long after the venue accepted them (a queue, a taker delay). */
    takerDelayMs: z.number().int().min(0).max(60_000),
    /** The next N taker (IOC) orders fill at most half their size; the rest is cancelled. */
    takerPartial: z.number().int().min(0).max(100_000),
    /** The next N fill frames of a resting order report 20 times the size that traded (a forged frame; the record is true). */
    overfill: z.number().int().min(0).max(100_000)
  })
  .strict();

export type FaultSettings = z.infer<typeof faultSettingsSchema>;
export type CountedFault =
  | 'skipSequence'
  | 'rejectOrders'
  | 'rejectTakerOrders'
  | 'rateLimit'
  | 'restErrors'
  | 'lostAcks'
  | 'ok200Errors'
  | 'htmlErrors'
  | 'refuseSubscriptions'
  | 'takerPartial'
  | 'overfill';
export type DropTarget = 'all' | 'book' | 'account';

export function noFaults(): FaultSettings {
  return {
    delayMs: 0,
    staleFeed: false,
    skipSequence: 0,
    duplicateFills: false,
    reorderFills: false,
    rejectOrders: 0,
    rejectTakerOrders: 0,
    rateLimit: 0,
    restErrors: 0,
    slowRestMs: 0,
    fillDuringCancel: false,
    lostAcks: 0,
    ackDelayMs: 0,
    accountDownMs: 0,
    halfOpen: false,
    earlierRunOrders: 0,
    restRecordDelayMs: 0,
    finalWithoutFilledQty: false,
    tpslOrder: false,
    foreignPositions: false,
    deltaWithoutC: false,
    idsAsStrings: false,
    ok200Errors: 0,
    htmlErrors: 0,
    cancelGoneAsRejection: false,
    idlessTxErrors: false,
    nonceErrorAs400: false,
    flatLists: false,
    foreignTrade: false,
    repeatPublicTrades: false,
    refuseSecondCancelAll: false,
    refuseSubscriptions: 0,
    takerDelayMs: 0,
    takerPartial: 0,
    overfill: 0
  };
}

export class Faults {
  settings: FaultSettings = noFaults();
  /** Set by the server: closes WebSocket connections now (all, or only book or account streams). */
  onDrop: ((which: DropTarget) => void) | null = null;
  /** Set by the emulators: rests orders of an earlier run. */
  onEarlierRunOrders: ((count: number) => void) | null = null;
  /** Set by the server: sends `count` junk frames on every stream now. */
  onJunk: ((count: number) => void) | null = null;
  /** Set by the server: one-shot faults that act at once (a TP/SL order, a foreign trade). */
  onOneShot: ((name: 'tpslOrder' | 'foreignTrade') => void) | null = null;

  /** Junk frames on every open stream: not JSON, JSON of no known shape (a flood, or a broken proxy). */
  junk(count: number): void {
    this.onJunk?.(count);
  }

  /** Applies a validated change; throws with the field and value when it is not valid. */
  set(patch: unknown): FaultSettings {
    const parsed = faultSettingsSchema.partial().safeParse(patch);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TypeError(`faults.${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
    }
    this.settings = { ...this.settings, ...parsed.data };
    for (const name of ['tpslOrder', 'foreignTrade'] as const) {
      if (!this.settings[name]) continue;
      this.settings = { ...this.settings, [name]: false };
      this.onOneShot?.(name);
    }
    if (this.settings.earlierRunOrders > 0) {
      const count = this.settings.earlierRunOrders;
      this.settings = { ...this.settings, earlierRunOrders: 0 };
      this.onEarlierRunOrders?.(count);
    }
    return this.settings;
  }

  /** True (and consumes one) when a counted fault is pending. */
  take(name: CountedFault): boolean {
    if (this.settings[name] <= 0) return false;
    this.settings = { ...this.settings, [name]: this.settings[name] - 1 };
    return true;
  }

  drop(which: DropTarget = 'all'): void {
    this.onDrop?.(which);
  }
}

/**
 * Sends one fill message to one connection the way the fill faults say: duplicated, or held back
 * and sent after the next one (at most `holdMs` later: reordered, never lost).
 */
export function deliverFill(
  session: { heldFill: string | null },
  text: string,
  settings: FaultSettings,
  send: (text: string) => void,
  later: (ms: number, fn: () => void) => void,
  holdMs = 300
): void {
  if (settings.reorderFills && session.heldFill === null) {
    session.heldFill = text;
    later(holdMs, () => {
      if (session.heldFill === text) {
        send(text);
        session.heldFill = null;
      }
    });
    return;
  }
  send(text);
  if (session.heldFill !== null) {
    send(session.heldFill);
    session.heldFill = null;
  }
  if (settings.duplicateFills) send(text);
}

/** The junk frames' texts, cycled. */
export const JUNK_FRAMES = ['{', 'null', '{"type":"no such type"}', '[1,2,3]', '{"channel":42}', 'garbage \u0000'];
