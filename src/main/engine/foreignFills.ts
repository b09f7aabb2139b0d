/**
 * Fills of orders this engine did not send (another bot or the web app on the same account):
 * never our exposure, but part of the venue's position, which the reconciler compares with ours.
 *
 * A stream frame is only a claim. One crafted frame for an order we cannot size (it is not ours)
 * would otherwise shift the reconciler's view of "our part" of the position by whatever it says,
 * and the reconcile would then "correct" ours and hedge the difference. So a foreign fill counts
 * only once the venue's trade record (REST) shows it, with the record's quantity; a claim the
 * record still lacks after three answered reads (and at least `dropAfterMs`) is dropped, refused.
 * While claims wait, the reconcile of that venue decides nothing.
 */
import type Decimal from 'decimal.js';
import type { Clock } from '../kernel/clock';
import { ZERO } from '../kernel/decimalMath';
import { RecentIds } from '../kernel/recentIds';
import type { FillDelta, Venue, VenueId } from '../ports/venue';

export interface ForeignFillsOptions {
  clock: Clock;
  venues: Record<VenueId, Venue>;
  /** The record showed a foreign fill: journal and alarm it (the record's figures). */
  confirmed(fill: FillDelta): void;
  /** The record never showed a claimed fill: journal it refused and alarm. */
  dropped(fill: FillDelta, why: string): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Between reads of one venue's trades (a Lighter trades read weighs 600 of 24,000 a minute). */
  readEveryMs?: number;
  dropAfterMs?: number;
}

interface Claim {
  fill: FillDelta;
  answers: number;
}

export class ForeignFills {
  /** Per venue: the signed quantity of confirmed foreign fills. */
  private readonly qty: Record<VenueId, Decimal> = { L: ZERO, E: ZERO };
  private readonly claims: Record<VenueId, Map<string, Claim>> = { L: new Map(), E: new Map() };
  private readonly counted: Record<VenueId, RecentIds> = { L: new RecentIds(), E: new RecentIds() };
  private readonly reading: Record<VenueId, boolean> = { L: false, E: false };
  private readonly lastReadAt: Record<VenueId, number> = { L: 0, E: 0 };
  readonly stats = { claims: 0, confirmed: 0, dropped: 0 };

  constructor(private readonly options: ForeignFillsOptions) {}

  /** The signed quantity of the venue's position that is foreign (confirmed fills only). */
  quantity(venue: VenueId): Decimal {
    return this.qty[venue];
  }

  /** Claims wait for the venue's record: a position read of this venue proves nothing meanwhile. */
  pending(venue: VenueId): boolean {
    return this.claims[venue].size > 0;
  }

  /** A stream frame says a foreign order filled. */
  claim(fill: FillDelta): void {
    if (this.counted[fill.venue].has(fill.id) || this.claims[fill.venue].has(fill.id)) return;
    this.stats.claims += 1;
    this.claims[fill.venue].set(fill.id, { fill, answers: 0 });
    // The first read waits a period too: the venue's REST record trails its stream.
    if (this.claims[fill.venue].size === 1) this.lastReadAt[fill.venue] = this.options.clock.now();
  }

  /** Called by the engine's safety tick. */
  tick(): void {
    const now = this.options.clock.now();
    for (const venue of ['L', 'E'] as const) {
      if (this.claims[venue].size === 0 || this.reading[venue] || now - this.lastReadAt[venue] < (this.options.readEveryMs ?? 1000)) continue;
      void this.read(venue, now);
    }
  }

  private async read(venue: VenueId, now: number): Promise<void> {
    this.reading[venue] = true;
    this.lastReadAt[venue] = now;
    const claims = [...this.claims[venue].values()];
    const since = Math.min(...claims.map((claim) => claim.fill.at ?? claim.fill.receivedAt)) - 60_000;
    let record: FillDelta[];
    try {
      record = await this.options.venues[venue].recentFills(since);
    } catch (error) {
      this.options.log('warn', `${venue}: foreign fills could not be checked against the venue's trades: ${String(error)}; trying again`);
      return;
    } finally {
      this.reading[venue] = false;
    }
    const byId = new Map(record.map((fill) => [fill.id, fill]));
    const answeredAt = this.options.clock.now();
    for (const claim of claims) {
      const recorded = byId.get(claim.fill.id);
      if (recorded) {
        this.claims[venue].delete(claim.fill.id);
        this.counted[venue].add(claim.fill.id);
        this.qty[venue] = this.qty[venue].plus(recorded.qty);
        this.stats.confirmed += 1;
        this.options.confirmed({ ...recorded, receivedAt: claim.fill.receivedAt });
        continue;
      }
      claim.answers += 1;
      if (claim.answers >= 3 && answeredAt - claim.fill.receivedAt >= (this.options.dropAfterMs ?? 5000)) {
        this.claims[venue].delete(claim.fill.id);
        this.stats.dropped += 1;
        this.options.dropped(claim.fill, `the venue's trades never showed it (${claim.answers} reads)`);
      }
    }
  }
}
