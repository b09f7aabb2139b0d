/**
 * One way to send anything to a venue (post-only, market order, cancel, cancel-all): the order row
 * is journalled before the request leaves, the reply row (ok, detail, latency, filled) when the
 * venue answers, and the answer is classified as strategy.md "Order and exposure truth" asks: a
 * lost answer is `unknown` (it may have executed), never a failure. A tracked order's registry
 * entry follows the answer. The callers keep only what is theirs: logs, alarms, what to do next.
 */
import type Decimal from 'decimal.js';
import type { Clock } from '../kernel/clock';
import type { OrderRecord, TradeJournal } from '../ports/records';
import { outcomeUnknown, VenueOrderError } from '../ports/venue';
import type { OrderRegistry, TrackedOrder } from './orderRegistry';

export interface SendDeps {
  clock: Clock;
  journal: TradeJournal;
  registry: OrderRegistry;
}

export type SendOutcome<T> =
  | { ok: true; value: T; latencyMs: number }
  | {
      ok: false;
      /** The answer was lost: it may have executed, and the venue's record settles it. */
      unknown: boolean;
      /** The error as the trader reads it. */
      detail: string;
      error: unknown;
      latencyMs: number;
    };

export interface SendRequest<T> {
  /** The journal's order row (its time is taken when the request leaves). */
  row: Omit<OrderRecord, 'at'>;
  send(): Promise<T>;
  /**
   * The registry entry the answer settles: a post-only's success means accepted, a market order's
   * success reports it filled, or cancelled for the part it did not fill.
   */
  tracked?: { order: TrackedOrder; answer: 'accepted' | 'market' };
  /** What the reply row says of a success, and what it filled. */
  replied(value: T): { detail: string; filledQty?: Decimal };
  /** Runs as soon as the request has left, before its answer (`sentAt` on the monotonic clock). */
  onSent?(sentAt: number): void;
}

/** The error as the trader reads it: a venue's refusal as it said it, anything else marked unexpected. */
export function errorDetail(error: unknown): string {
  if (error instanceof VenueOrderError) return error.message;
  return `unexpected: ${error instanceof Error ? error.message : String(error)}`;
}

export async function trackedSend<T>(deps: SendDeps, request: SendRequest<T>): Promise<SendOutcome<T>> {
  const { clock, journal, registry } = deps;
  const { row, tracked } = request;
  journal.order({ at: clock.now(), ...row });
  const sentAt = clock.monotonic();
  let promise: Promise<T>;
  try {
    promise = request.send();
  } catch (error) {
    promise = Promise.reject(error);
  }
  request.onSent?.(sentAt);
  try {
    const value = await promise;
    const latencyMs = clock.monotonic() - sentAt;
    if (tracked) {
      tracked.order.latencyMs = latencyMs;
      registry.answered(tracked.order);
    }
    const { detail, filledQty } = request.replied(value);
    if (tracked?.answer === 'accepted') registry.accepted(tracked.order);
    else if (tracked && filledQty) {
      registry.report({ venue: row.venue, clientId: row.clientId, status: filledQty.gte(tracked.order.qty) ? 'filled' : 'cancelled', filledQty });
    }
    journal.reply({ at: clock.now(), clientId: row.clientId, venue: row.venue, ok: true, detail, latencyMs, filledQty: filledQty?.toString() });
    return { ok: true, value, latencyMs };
  } catch (error) {
    const latencyMs = clock.monotonic() - sentAt;
    if (tracked) {
      tracked.order.latencyMs = latencyMs;
      registry.answered(tracked.order);
    }
    const unknown = outcomeUnknown(error);
    const detail = errorDetail(error);
    if (tracked) {
      if (unknown) registry.unknown(tracked.order, detail);
      else registry.refused(tracked.order, detail);
    }
    journal.reply({
      at: clock.now(),
      clientId: row.clientId,
      venue: row.venue,
      ok: false,
      detail: unknown ? `unknown: ${detail}` : detail,
      latencyMs,
      filledQty: tracked?.answer === 'market' ? '0' : undefined
    });
    return { ok: false, unknown, detail, error, latencyMs };
  }
}
