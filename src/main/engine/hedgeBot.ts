/**
 * HedgeBot (strategy.md "Hedge engine"): every maker fill adds to unhedged on its venue; once
 * |unhedged| reaches minHedgeQty (and both books are ready) a market order on the other venue
 * takes it out, for the quantity the venue reports as filled. Failed attempts are retried; when
 * retries run out: Telegram, an alarm, and disarm. Hedging goes on while disarmed.
 */
import type Decimal from 'decimal.js';
import type { Side, VenueId } from '../../shared/contract';
import { sleep } from './clock';
import type { EngineContext } from './context';
import { roundPriceToTick, roundToStep, ZERO } from './decimalMath';
import { otherVenue, VENUES } from './state';
import type { Notifier } from './telegram';
import type { FillDelta } from './venue';
import { VenueOrderError } from './venue';

/** Remembers the last `limit` ids, so a replayed fill is counted once without unbounded memory. */
export class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly limit = 50_000) {}
  /** True when the id is new (and records it). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}

/** The worst acceptable price of a "market" order: best opposite price moved by the slippage cap. */
export function marketWorstPrice(ctx: EngineContext, venue: VenueId, side: Side): Decimal | null {
  const { book, market } = ctx.venues[venue];
  const slip = ctx.params().slippage[venue];
  if (side === 'buy') {
    const ask = book.bestAsk();
    return ask ? roundPriceToTick(ask.times(slip.plus(1)), market.priceTick, 'down') : null;
  }
  const bid = book.bestBid();
  return bid ? roundPriceToTick(bid.times(slip.neg().plus(1)), market.priceTick, 'up') : null;
}

export class HedgeBot {
  private readonly seenMakerFills: Record<VenueId, RecentIds> = { L: new RecentIds(), E: new RecentIds() };
  private readonly running: Record<VenueId, Promise<void> | null> = { L: null, E: null };
  /** Set by the manual "hedge unhedged now" command: hedge below minHedgeQty once. */
  private readonly force: Record<VenueId, boolean> = { L: false, E: false };
  hedgesSent = 0;
  failures = 0;

  constructor(
    private readonly ctx: EngineContext,
    private readonly notifier: Notifier
  ) {}

  /** A maker fill: counted once, added to unhedged, hedged when over the threshold. */
  onMakerFill(fill: FillDelta): void {
    if (!this.seenMakerFills[fill.venue].add(fill.id)) {
      this.ctx.log('info', 'hedge', `duplicate maker fill ${fill.venue} ${fill.id} ignored`);
      return;
    }
    this.addUnhedged(fill.venue, fill.qty, `maker fill ${fill.id}`);
  }

  /** Adds to unhedged (maker fills, the start-up seed, a TT leg that filled short). */
  addUnhedged(venue: VenueId, qty: Decimal, why: string): void {
    const { state } = this.ctx;
    state.unhedged[venue] = state.unhedged[venue].plus(qty);
    this.ctx.logs.hedge(`${new Date(this.ctx.clock.now()).toISOString()} unhedged_${venue} ${qty.isNeg() ? '' : '+'}${qty} (${why}) = ${state.unhedged[venue]}`);
    this.ctx.changed();
    this.kick();
  }

  /** Starts a hedge loop on each venue that needs one and has none running. Cheap when idle. */
  kick(): void {
    for (const venue of VENUES) {
      if (!this.running[venue] && this.shouldHedge(venue)) {
        const loop = this.hedgeLoop(venue).finally(() => {
          this.running[venue] = null;
        });
        this.running[venue] = loop;
      }
    }
  }

  /** Hedges whatever is unhedged now, even below minHedgeQty (the trader's "hedge now"). */
  hedgeNow(): Promise<void> {
    this.force.L = !this.ctx.state.unhedged.L.isZero();
    this.force.E = !this.ctx.state.unhedged.E.isZero();
    this.kick();
    return this.settled();
  }

  /** True when no hedge is being worked. */
  idle(): boolean {
    return !this.running.L && !this.running.E;
  }

  /** Resolves when no hedge loop is running. */
  async settled(): Promise<void> {
    while (this.running.L || this.running.E) {
      await Promise.all([this.running.L, this.running.E]);
    }
  }

  private booksReady(): boolean {
    return this.ctx.venues.L.book.ready && this.ctx.venues.E.book.ready;
  }

  private shouldHedge(venue: VenueId): boolean {
    const { state } = this.ctx;
    const amount = state.unhedged[venue].abs();
    if (amount.isZero() || !this.booksReady()) return false;
    if (this.force[venue]) return true;
    return state.minHedgeQty !== null && amount.gte(state.minHedgeQty);
  }

  private async hedgeLoop(from: VenueId): Promise<void> {
    const ctx = this.ctx;
    const to = otherVenue(from);
    const target = ctx.venues[to];
    let failedAttempts = 0;
    let attempt = 0;
    while (this.shouldHedge(from)) {
      const params = ctx.params();
      const unhedged = ctx.state.unhedged[from];
      const side: Side = unhedged.isPos() ? 'sell' : 'buy';
      const qty = roundToStep(unhedged.abs(), target.market.sizeStep);
      if (qty.isZero() || qty.lt(target.market.minSize)) {
        // Below what the hedge venue accepts: keep it as unhedged until more fills arrive.
        ctx.log('info', 'hedge', `unhedged_${from} ${unhedged} below ${to} min size ${target.market.minSize}: accumulating`);
        this.force[from] = false;
        return;
      }
      const worstPrice = marketWorstPrice(ctx, to, side);
      const decisionPrice = side === 'buy' ? target.book.bestAsk() : target.book.bestBid();
      if (!worstPrice || !decisionPrice) return;
      attempt += 1;
      const clientId = ctx.nextClientId();
      const at = ctx.clock.now();
      ctx.journal.order({ at, clientId, venue: to, kind: 'market', side, price: worstPrice.toString(), qty: qty.toString(), purpose: 'hedge' });
      const started = ctx.clock.monotonic();
      let filled = ZERO;
      let avgPrice: Decimal | undefined;
      let error: string | undefined;
      try {
        const result = await target.sendMarket({ clientId, side, qty, worstPrice });
        filled = result.filledQty;
        avgPrice = result.avgPrice;
      } catch (caught) {
        error = caught instanceof VenueOrderError ? caught.message : `unexpected: ${String(caught)}`;
      }
      const latencyMs = ctx.clock.monotonic() - started;
      this.hedgesSent += 1;
      // Subtract what the venue reports as filled, never what was asked.
      if (filled.gt(0)) {
        ctx.state.unhedged[from] = unhedged.isPos() ? ctx.state.unhedged[from].minus(filled) : ctx.state.unhedged[from].plus(filled);
      }
      ctx.journal.reply({ at: ctx.clock.now(), clientId, venue: to, ok: !error, detail: error ?? 'filled', latencyMs, filledQty: filled.toString() });
      ctx.journal.hedge({
        at, fromVenue: from, venue: to, side, requested: qty.toString(), filled: filled.toString(), attempt, latencyMs,
        decisionPrice: decisionPrice.toString(), avgPrice: avgPrice?.toString(), error, clientId
      });
      ctx.logs.hedge(
        `${new Date(at).toISOString()} hedge ${from}->${to} ${side} ${qty} @<=${worstPrice} attempt ${attempt}: ` +
          `${error ? `FAILED ${error}` : `filled ${filled}${avgPrice ? ` avg ${avgPrice}` : ''}`} in ${latencyMs.toFixed(1)} ms; unhedged_${from} = ${ctx.state.unhedged[from]}`
      );
      ctx.emit({ type: 'hedge', at, venue: to, side, requested: qty.toString(), filled: filled.toString(), attempt, latencyMs, error });
      ctx.changed();

      if (filled.gt(0) && !error) {
        failedAttempts = 0;
        this.force[from] = false;
        continue;
      }
      failedAttempts += 1;
      this.failures += 1;
      if (failedAttempts >= params.hedgeMaxRetries) {
        await this.exhausted(from, to, error ?? 'nothing filled');
        return;
      }
      await sleep(ctx.clock, params.hedgeRetryDelayMs);
    }
    this.force[from] = false;
  }

  private async exhausted(from: VenueId, to: VenueId, lastError: string): Promise<void> {
    const ctx = this.ctx;
    const message =
      `Hedge of unhedged_${from} = ${ctx.state.unhedged[from]} on ${to} failed ${ctx.params().hedgeMaxRetries} times ` +
      `(last: ${lastError}). Disarmed; the position is NOT hedged.`;
    this.force[from] = false;
    ctx.raiseAlarm('hedge_exhausted', message, `hedge_exhausted:${from}`);
    ctx.log('error', 'hedge', message);
    ctx.logs.hedge(`${new Date(ctx.clock.now()).toISOString()} RETRIES EXHAUSTED: ${message}`);
    this.onExhausted?.(message);
    const sent = await this.notifier.notify(`LX Hedge ALARM: ${message}`);
    ctx.log(sent.ok ? 'info' : 'warn', 'hedge', `telegram: ${sent.detail}`);
  }

  /** Set by the engine: disarm and cancel quotes when a hedge cannot be done. */
  onExhausted: ((message: string) => void) | null = null;
}
