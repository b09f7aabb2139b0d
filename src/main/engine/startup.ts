/**
 * The start-up runner (strategy.md "Start-up"): seven steps, each reported live. Steps that talk
 * to a venue are retried; a step that keeps failing raises an alarm and start-up stops there, so
 * the maker engine never runs on an unknown position.
 */
import type Decimal from 'decimal.js';
import type { StartupStep } from '../../shared/contract';
import { sleep } from '../kernel/clock';
import type { EngineContext } from './context';
import { maxDecimal, ZERO } from '../kernel/decimalMath';
import type { HedgeBot } from './hedgeBot';
import { VENUES } from './state';

export const STARTUP_LABELS = [
  'Wire callbacks',
  'Start Lighter and Extended streams',
  'Wait for both books',
  'Compute minHedgeQty',
  'Open orders, positions and seed',
  'Hedge the seed',
  'hedge_seeded: maker engine may run'
] as const;

export function initialSteps(): StartupStep[] {
  return STARTUP_LABELS.map((label, index) => ({ id: index + 1, label, status: 'pending' }));
}

/** minHedgeQty = max over both venues of (min size, min size change, min value / mid). */
export function computeMinHedgeQty(ctx: EngineContext): Decimal {
  const parts: Decimal[] = [];
  for (const venue of VENUES) {
    const { market, book } = ctx.venues[venue];
    const mid = book.mid();
    parts.push(market.minSize, market.minSizeChange, mid && mid.gt(0) ? market.minValue.div(mid) : ZERO);
  }
  return maxDecimal(...parts);
}

export interface StartupOptions {
  seedOn: 'L' | 'E';
  /** TT-only: the hedge engine is not started, hedge_seeded at once. */
  ttOnly: boolean;
  wireCallbacks(): void;
  /** Resolves when both books are ready. */
  booksReady(): Promise<void>;
  progress(step: StartupStep): void;
  /**
   * Settles orders left by an earlier run (cancelled and confirmed gone, or adopted) and reads
   * both positions into the state so that no fill streamed meanwhile counts twice or is lost.
   */
  loadBaseline(): Promise<{ detail: string }>;
  /** Adds the start-up net exposure to unhedged on the seed venue. */
  seed(net: Decimal): void;
  retries?: number;
  retryDelayMs?: number;
}

export class StartupFailed extends Error {}

/** Start-up found a reason not to go on that no retry changes (another engine trades the account). */
export class StartupRefused extends StartupFailed {}

export async function runStartup(ctx: EngineContext, hedgeBot: HedgeBot | null, options: StartupOptions): Promise<void> {
  const steps = initialSteps();
  const set = (id: number, status: StartupStep['status'], detail?: string) => {
    const step = steps[id - 1]!;
    step.status = status;
    step.detail = detail;
    step.at = ctx.clock.now();
    options.progress({ ...step });
  };
  const attempt = async <T>(id: number, work: () => Promise<T>): Promise<T> => {
    const retries = options.retries ?? 5;
    for (let tryNo = 1; ; tryNo++) {
      try {
        return await work();
      } catch (error) {
        if (error instanceof StartupRefused) {
          set(id, 'failed', error.message);
          throw error;
        }
        const detail = `try ${tryNo}/${retries} failed: ${error instanceof Error ? error.message : String(error)}`;
        if (tryNo >= retries) {
          set(id, 'failed', detail);
          ctx.raiseAlarm('startup_failed', `start-up step ${id} (${STARTUP_LABELS[id - 1]}) failed: ${detail}`, 'startup_failed');
          throw new StartupFailed(detail);
        }
        set(id, 'running', `${detail}; retrying`);
        await sleep(ctx.clock, (options.retryDelayMs ?? 1000) * tryNo);
      }
    }
  };

  set(1, 'running');
  options.wireCallbacks();
  set(1, 'done');

  set(2, 'running');
  await attempt(2, () => Promise.all(VENUES.map((venue) => ctx.venues[venue].start())));
  set(2, 'done');

  set(3, 'running');
  await options.booksReady();
  set(3, 'done', VENUES.map((venue) => `${venue} ${ctx.venues[venue].book.bestBid()}/${ctx.venues[venue].book.bestAsk()}`).join(', '));

  if (options.ttOnly) set(4, 'skipped', 'TT-only: no hedge engine');
  else {
    set(4, 'running');
    ctx.state.minHedgeQty = computeMinHedgeQty(ctx);
    set(4, 'done', `minHedgeQty ${ctx.state.minHedgeQty}`);
  }

  set(5, 'running');
  const baseline = await attempt(5, () => options.loadBaseline());
  const net = ctx.state.inv.L.plus(ctx.state.inv.E);
  const seedText = `${baseline.detail}; invL ${ctx.state.inv.L} @ ${ctx.state.entry.L}, invE ${ctx.state.inv.E} @ ${ctx.state.entry.E}, net ${net}`;
  if (!net.isZero()) {
    // The net exposure is seeded as unhedged on SEED_UNHEDGED_ON, so it is hedged on the other venue.
    options.seed(net);
    hedgeBot?.kick();
    set(5, 'done', `${seedText}; seeded unhedged_${options.seedOn} = ${net}`);
  } else {
    set(5, 'done', seedText);
  }
  ctx.log('info', 'startup', `positions: ${seedText}`);
  ctx.changed();

  if (!hedgeBot) set(6, 'skipped', 'TT-only: no hedge engine');
  else {
    set(6, 'running');
    await hedgeBot.settled();
    const left = ctx.state.unhedged[options.seedOn];
    const threshold = ctx.state.minHedgeQty;
    if (threshold && left.abs().gte(threshold)) {
      set(6, 'failed', `unhedged_${options.seedOn} ${left} still >= minHedgeQty ${threshold}`);
      throw new StartupFailed('the start-up seed could not be hedged');
    }
    set(6, 'done', left.isZero() ? 'nothing left unhedged' : `unhedged_${options.seedOn} ${left} below minHedgeQty: accumulating`);
  }

  ctx.state.hedgeSeeded = true;
  set(7, 'done', 'maker engine may run once armed');
  ctx.changed();
}
