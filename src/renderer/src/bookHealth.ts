import type { EngineSnapshot, VenueId } from '../../shared/contract';

/**
 * Whether a venue's book can be trusted right now, and if not the true reason: the venue is
 * disconnected, its book is not ready (resyncing), or it is stale (no update for longer than
 * STALE_BOOK_MS, counted in the page so that it keeps growing without snapshots).
 */
export function bookHealth(snapshot: EngineSnapshot | null, venue: VenueId, now: number): { ok: true } | { ok: false; label: string } {
  if (!snapshot) return { ok: false, label: 'NO DATA' };
  const book = snapshot.books[venue];
  if (!snapshot.venues[venue].connected) return { ok: false, label: 'DISCONNECTED' };
  if (!book?.ready) return { ok: false, label: 'NOT READY (resyncing)' };
  const ageMs = Math.max(snapshot.at, now) - book.updatedAt;
  if (ageMs > snapshot.params.staleBookMs) return { ok: false, label: `STALE ${Math.round(ageMs / 1000)} s` };
  return { ok: true };
}
