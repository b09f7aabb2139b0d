/**
 * Whether a venue's REST API answers at all: since when every request has failed (a network
 * error, a 5xx, a page that is not the venue's JSON, the rate limit). Any answer of the venue's,
 * a refusal included, means it works. The engine alarms after REST_FAILURE_ALARM_MS of failure:
 * the streams may still run, but no position can be read and no REST order or cancel goes out.
 */
export class RestHealth {
  private failingSince: number | null = null;
  private lastError = '';

  answered(): void {
    this.failingSince = null;
  }

  failed(now: number, error: string): void {
    this.failingSince ??= now;
    this.lastError = error;
  }

  /** Null while REST works. */
  failing(): { sinceMs: number; lastError: string } | null {
    return this.failingSince === null ? null : { sinceMs: this.failingSince, lastError: this.lastError };
  }
}
