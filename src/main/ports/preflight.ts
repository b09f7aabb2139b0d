import type { VenueId } from '../../shared/contract';

/** One line of the preflight table: what was checked on a venue, what it found, and what to do. */
export interface PreflightRow {
  venue: VenueId;
  check: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  /** What to do when it is not a pass. */
  fix?: string;
}

/** How far the venue's clock (its HTTP Date header) may be from ours before it is a problem. */
export const MAX_CLOCK_SKEW_MS = 2000;

/** The venue's clock against ours, from an HTTP response's Date header (second resolution). */
export function clockSkewRow(venue: VenueId, dateHeader: string | null, sentAt: number, receivedAt: number): PreflightRow {
  const theirs = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  if (Number.isNaN(theirs)) return { venue, check: 'clock skew', status: 'warn', detail: 'the venue sent no Date header', fix: 'keep this machine on NTP' };
  // The header has whole seconds: compare with the middle of the round trip, allowing one second.
  const skew = theirs - (sentAt + receivedAt) / 2;
  const ok = Math.abs(skew) <= MAX_CLOCK_SKEW_MS + 1000;
  return {
    venue,
    check: 'clock skew',
    status: ok ? 'pass' : 'fail',
    detail: `${skew >= 0 ? '+' : ''}${Math.round(skew)} ms (second resolution)`,
    fix: ok ? undefined : "sync this machine's clock (NTP): order expiries and auth tokens are timed"
  };
}
