/**
 * HedgeBot (strategy.md "Hedge engine"): once |unhedged| on a venue reaches minHedgeQty (and both
 * books are ready) a market order on the other venue takes it out. The leg is provisioned into
 * unhedged when sent (exposure.ts) and settled by the venue's record (orderRegistry.ts): an attempt
 * whose answer was lost stays provisioned, so it is never sent twice. Opposite-sign amounts are
 * netted first. Failed attempts are retried; when retries run out: an alarm, one Telegram message,
 * disarm, and a latch: no new automatic round until the trader hedges now or acknowledges.
 * Hedging goes on while disarmed.
 */
import type Decimal from 'decimal.js';
import type { Side, VenueId } from '../../shared/contract';
import { sleep } from '../kernel/clock';
import type { EngineContext } from './context';
import { roundToStep, ZERO } from '../kernel/decimalMath';
import { marketWorstPrice } from './pricing';
import { otherVenue, VENUES } from './state';
import type { Notifier } from '../ports/notifier';
import type { Exposure } from './exposure';
import type { OrderRegistry } from './orderRegistry';
import { trackedSend } from './trackedSend';

/** A refused hedge waits at least this long before the next try, doubling up to the maximum. */
const HEDGE_BACKOFF_BASE_MS = 100;
const HEDGE_BACKOFF_MAX_MS = 5000;
/** How long a hedge round waits for an attempt's answer before it hedges newer exposure beside it. */
const HEDGE_ANSWER_WAIT_MS = 1000;

export class HedgeBot {
  private readonly running: Record<VenueId, Promise<void> | null> = { L: null, E: null };
  /** Set by the manual "hedge unhedged now" command: hedge below minHedgeQty once. */
  private readonly force: Record<VenueId, boolean> = { L: false, E: false };
  /** Retries ran out: no automatic round until the trader acts (strategy.md: exhaustion latches). */
  latched = false;
  /** Held by flatten: no round at all until released. */
  private held = false;
  hedgesSent = 0;
  failures = 0;

  constructor(
    private readonly ctx: EngineContext,
    private readonly notifier: Notifier,
    private readonly registry: OrderRegistry,
    private readonly exposure: Exposure
  ) {}

  /** Starts a hedge loop on each venue that needs one and has none running. Cheap when idle. */
  kick(): void {
    if (this.held || this.latched) return;
    if (this.idle()) this.exposure.net();
    for (const venue of VENUES) {
      if (!this.running[venue] && this.shouldHedge(venue)) {
        const loop = this.hedgeLoop(venue)
          .catch((error: unknown) => this.ctx.log('error', 'hedge', `hedge loop ${venue}: ${String(error)}`))
          .finally(() => {
            this.running[venue] = null;
          });
        this.running[venue] = loop;
      }
    }
  }

  /** Hedges whatever is unhedged now, even below minHedgeQty (the trader's "hedge now"); releases the latch. */
  hedgeNow(): Promise<void> {
    this.latched = false;
    this.held = false;
    if (this.idle()) this.exposure.net();
    this.force.L = !this.ctx.state.unhedged.L.isZero();
    this.force.E = !this.ctx.state.unhedged.E.isZero();
    // The trader's word: no back-off wait.
    this.nextAttemptAt.L = 0;
    this.nextAttemptAt.E = 0;
    this.kick();
    return this.settled();
  }

  /** The trader acknowledged the exhaustion alarm: automatic rounds may start again. */
  release(): void {
    this.latched = false;
    this.kick();
  }

  /** Flatten: stop starting rounds, and wait for the running ones. */
  async hold(): Promise<void> {
    this.held = true;
    await this.settled();
  }

  unhold(): void {
    this.held = false;
    this.kick();
  }

  /** True when no hedge is being worked (no round running, no attempt waiting for its answer). */
  idle(): boolean {
    return !this.running.L && !this.running.E && this.detached.size === 0;
  }

  /** Resolves when no hedge round runs and no attempt waits for its answer. */
  async settled(): Promise<void> {
    while (!this.idle()) {
      await Promise.all([this.running.L, this.running.E, ...this.detached]);
    }
  }

  private booksReady(): boolean {
    return this.ctx.venues.L.book.ready && this.ctx.venues.E.book.ready;
  }

  private shouldHedge(venue: VenueId): boolean {
    const { state } = this.ctx;
    const amount = state.unhedged[venue].abs();
    if (amount.isZero() || !this.booksReady() || this.held) return false;
    if (this.force[venue]) return true;
    return !this.latched && state.minHedgeQty !== null && amount.gte(state.minHedgeQty);
  }

  /** Per venue: attempts refused or empty in a row (reset by a fill), and when the next may go. */
  private readonly failedInRow: Record<VenueId, number> = { L: 0, E: 0 };
  private readonly refusalsInRow: Record<VenueId, number> = { L: 0, E: 0 };
  private readonly nextAttemptAt: Record<VenueId, number> = { L: 0, E: 0 };
  private readonly attempts: Record<VenueId, number> = { L: 0, E: 0 };
  /** Attempts whose answer the loop stopped waiting for (HEDGE_ANSWER_WAIT_MS): still settled, counted, journaled. */
  private readonly detached = new Set<Promise<void>>();

  private async hedgeLoop(from: VenueId): Promise<void> {
    const ctx = this.ctx;
    while (this.shouldHedge(from)) {
      const wait = this.nextAttemptAt[from] - ctx.clock.now();
      if (wait > 0) {
        await sleep(ctx.clock, wait);
        continue;
      }
      const attempt = this.attempt(from);
      if (attempt === null) return;
      // An attempt's answer is waited for, but not past HEDGE_ANSWER_WAIT_MS: its leg stays
      // provisioned (never sent twice) and more exposure arriving meanwhile is hedged beside it
      // rather than behind a lost answer. Its outcome still settles, counts and backs off.
      const answered = await this.answerOrPause(attempt, HEDGE_ANSWER_WAIT_MS);
      if (!answered) {
        this.detached.add(attempt);
        void attempt.finally(() => {
          this.detached.delete(attempt);
          this.kick();
        });
        ctx.log('warn', 'hedge', `a hedge on ${otherVenue(from)} unanswered after ${HEDGE_ANSWER_WAIT_MS} ms: further unhedged_${from} is hedged beside it`);
        continue;
      }
      if (this.latched) return;
    }
    this.force[from] = false;
  }

  private answerOrPause(done: Promise<void>, ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = this.ctx.clock.setTimeout(() => resolve(false), ms);
      void done.finally(() => {
        this.ctx.clock.clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * One hedge attempt for what is unhedged on `from` now: sent, journaled, and once answered, its
   * fill resets the failure count or its failure counts, backs off, and may exhaust. Null when
   * nothing is sent (below the venue's minimums, no book, held as too large).
   */
  private attempt(from: VenueId): Promise<void> | null {
    const ctx = this.ctx;
    const to = otherVenue(from);
    const target = ctx.venues[to];
    const params = ctx.params();
    const unhedged = ctx.state.unhedged[from];
    const side: Side = unhedged.isPos() ? 'sell' : 'buy';
    const qty = roundToStep(unhedged.abs(), target.market.sizeStep);
    const worstPrice = marketWorstPrice(ctx, to, side);
    const decisionPrice = side === 'buy' ? target.book.bestAsk() : target.book.bestBid();
    if (!worstPrice || !decisionPrice) return null;
    if (qty.isZero() || qty.lt(target.market.minSize) || qty.times(decisionPrice).lt(target.market.minValue)) {
      // Below what the hedge venue accepts (size or value): keep it as unhedged until more fills arrive.
      ctx.log(
        'info',
        'hedge',
        `unhedged_${from} ${unhedged} below ${to} min size ${target.market.minSize} / min value ${target.market.minValue}: accumulating`
      );
      this.force[from] = false;
      return null;
    }
    // No automatic hedge larger than the position it neutralises could plausibly be. Exposure that
    // fills explain (ours, the trader's manual orders, the positions read at start-up) is hedged
    // whatever its size; exposure no fill explains (a leak, a reconcile correction) is hedged
    // automatically only up to what one of the strategy's positions can be (MAX_POSITION_VALUE +
    // ORDER_VALUE): beyond that, something is wrong that a trade would not fix, and the trader decides.
    const leaked = this.exposure.leaked[from].abs().times(decisionPrice);
    const cap = params.maxPositionValue.plus(params.orderValue);
    if (!this.force[from] && leaked.gt(cap)) {
      this.holdTooLarge(from, to, side, qty, leaked, cap);
      return null;
    }
    const attempt = (this.attempts[from] += 1);
    const clientId = ctx.nextClientId();
    const at = ctx.clock.now();
    const order = this.registry.track({ clientId, venue: to, purpose: 'hedge', side, qty, price: worstPrice, legOn: from, refPrice: decisionPrice });
    this.exposure.provision(order);
    this.hedgesSent += 1;
    return trackedSend(
      { clock: ctx.clock, journal: ctx.journal, registry: this.registry },
      {
        row: { clientId, venue: to, kind: 'market', side, price: worstPrice.toString(), qty: qty.toString(), purpose: 'hedge' },
        tracked: { order, answer: 'market' },
        send: () => target.sendMarket({ clientId, side, qty, worstPrice }),
        replied: (result) => ({ detail: `filled ${result.filledQty}`, filledQty: result.filledQty })
      }
    )
      .then(async (sent) => {
        const { latencyMs } = sent;
        const filled = sent.ok ? sent.value.filledQty : ZERO;
        const avgPrice = sent.ok ? sent.value.avgPrice : undefined;
        const error = sent.ok ? undefined : sent.detail;
        const unknown = !sent.ok && sent.unknown;
        const outcome = unknown
          ? `OUTCOME UNKNOWN (${error}): kept at ${qty} until the venue settles it`
          : error
            ? `FAILED ${error}`
            : `filled ${filled}${avgPrice ? ` avg ${avgPrice}` : ''}`;
        ctx.journal.hedge({
          at,
          fromVenue: from,
          venue: to,
          side,
          requested: qty.toString(),
          filled: filled.toString(),
          attempt,
          latencyMs,
          decisionPrice: decisionPrice.toString(),
          avgPrice: avgPrice?.toString(),
          error: unknown ? `unknown: ${error}` : error,
          clientId
        });
        ctx.logs.hedge(
          `${new Date(at).toISOString()} hedge ${from}->${to} ${side} ${qty} @<=${worstPrice} attempt ${attempt}: ${outcome} in ${latencyMs.toFixed(1)} ms; unhedged_${from} = ${ctx.state.unhedged[from]}`
        );
        ctx.emit({ type: 'hedge', at, venue: to, side, requested: qty.toString(), filled: filled.toString(), attempt, latencyMs, error });
        ctx.changed();
        // Nothing is re-sent on a guess: the venue's record settles the leg, and the settlement kicks again.
        if (unknown) return;
        // Its fills usually come with the final status; give them a moment so unhedged is exact.
        await this.registry.whenSettledWithin(order, 1000, ctx.clock);
        if (filled.gt(0) && !error) {
          this.failedInRow[from] = 0;
          this.refusalsInRow[from] = 0;
          this.force[from] = false;
          return;
        }
        this.failedInRow[from] += 1;
        this.failures += 1;
        this.noteFailure(from, `${new Date(at).toISOString().slice(11, 23)} ${side} ${qty} on ${to}: ${error ?? 'nothing filled'}`);
        if (this.failedInRow[from] >= params.hedgeMaxRetries) {
          this.failedInRow[from] = 0;
          this.refusalsInRow[from] = 0;
          await this.exhausted(from, to, error ?? 'nothing filled');
          return;
        }
        // A refusal (margin, a rate limit, a venue rule) backs off like a refused quote, doubling up
        // to 5 s: the same refusal 34 times a second helps nobody. A hedge that found no liquidity is
        // tried again at the configured pace.
        this.refusalsInRow[from] = error ? this.refusalsInRow[from] + 1 : 0;
        const delay = error
          ? Math.min(HEDGE_BACKOFF_MAX_MS, Math.max(params.hedgeRetryDelayMs, HEDGE_BACKOFF_BASE_MS) * 2 ** (this.refusalsInRow[from] - 1))
          : params.hedgeRetryDelayMs;
        this.nextAttemptAt[from] = ctx.clock.now() + delay;
      })
      .catch((error: unknown) => ctx.log('error', 'hedge', `hedge attempt ${from}->${to} ${clientId}: ${String(error)}`));
  }

  /**
   * A hedge larger than any position the strategy could have built: not sent. The latch holds every
   * automatic round, the engine disarms, and the trader hedges now (which sends it) or flattens.
   */
  private holdTooLarge(from: VenueId, to: VenueId, side: Side, qty: Decimal, unexplained: Decimal, cap: Decimal): void {
    const ctx = this.ctx;
    const message =
      `Hedge of unhedged_${from} = ${ctx.state.unhedged[from]} (${side} ${qty} on ${to}) held: ${this.exposure.leaked[from].abs()} of it (worth ${unexplained.toDecimalPlaces(2)}) ` +
      `is exposure no fill explains, more than any position the strategy builds (MAX_POSITION_VALUE + ORDER_VALUE = ${cap}). Not sent, disarmed. Check the venues' positions, then hedge now or flatten.`;
    this.force[from] = false;
    this.latched = true;
    ctx.raiseAlarm('hedge_held', message, `hedge_held:${from}`, [
      { label: 'Hedge now', command: 'hedgeUnhedged' },
      { label: 'Flatten', command: 'flatten' }
    ]);
    ctx.log('error', 'hedge', message);
    ctx.logs.hedge(`${new Date(ctx.clock.now()).toISOString()} HELD: ${message}`);
    this.onExhausted?.(message);
  }

  /** Refused or failed attempts since the exposure on `from` reached minHedgeQty (the hedge_delayed alarm names them). */
  private readonly failedSince: Record<VenueId, string[]> = { L: [], E: [] };
  private readonly exposedSince: Record<VenueId, number | null> = { L: null, E: null };
  private readonly delayedRaised: Record<VenueId, { at: number; failures: number } | null> = { L: null, E: null };

  private noteFailure(from: VenueId, line: string): void {
    const list = this.failedSince[from];
    list.push(line);
    if (list.length > 20) list.splice(0, list.length - 20);
  }

  /**
   * strategy.md `hedge_delayed`: unhedged at or above minHedgeQty for longer than HEDGE_ALARM_MS
   * while both books are ready is an alarm naming each refused or failed attempt; it clears when the
   * exposure is hedged. Called by the engine's safety tick.
   */
  checkDelayed(): void {
    const ctx = this.ctx;
    const now = ctx.clock.now();
    const threshold = ctx.state.minHedgeQty;
    for (const venue of VENUES) {
      const exposed = threshold !== null && this.booksReady() && ctx.state.unhedged[venue].abs().gte(threshold);
      if (!exposed) {
        if (this.exposedSince[venue] !== null) ctx.clearAlarm(`hedge_delayed:${venue}`);
        this.exposedSince[venue] = null;
        this.failedSince[venue] = [];
        this.delayedRaised[venue] = null;
        continue;
      }
      const since = (this.exposedSince[venue] ??= now);
      if (now - since < ctx.params().hedgeAlarmMs) continue;
      const attempts = this.failedSince[venue];
      // Raised once, then brought up to date when an attempt failed since or every 10 s: not an event a tick.
      const last = this.delayedRaised[venue];
      if (last && last.failures === attempts.length && now - last.at < 10_000) continue;
      this.delayedRaised[venue] = { at: now, failures: attempts.length };
      const named = attempts.length === 0 ? 'no attempt answered yet' : `${attempts.length} attempt(s) refused or failed: ${attempts.slice(-5).join('; ')}`;
      ctx.raiseAlarm(
        'hedge_delayed',
        `unhedged_${venue} = ${ctx.state.unhedged[venue]} has waited ${((now - since) / 1000).toFixed(1)} s for its hedge on ${otherVenue(venue)} (${this.latched ? 'hedging held: act on the alarm above' : named})`,
        `hedge_delayed:${venue}`
      );
    }
  }

  private async exhausted(from: VenueId, to: VenueId, lastError: string): Promise<void> {
    const ctx = this.ctx;
    const message =
      `Hedge of unhedged_${from} = ${ctx.state.unhedged[from]} on ${to} failed ${ctx.params().hedgeMaxRetries} times ` +
      `(last: ${lastError}). Disarmed; the position is NOT hedged. No new automatic hedge until you hedge now or acknowledge.`;
    this.force[from] = false;
    this.latched = true;
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
