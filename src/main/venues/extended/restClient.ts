/**
 * Extended's REST client: every call takes its slot of the request budget, carries the API key and
 * User-Agent, and has its {status, data, error} envelope read with exact ids (lossless JSON). Its
 * failures are classified: a create that died after it left, or whose answer is unreadable or a
 * server error, is `unknown` (it may have executed); "order not found" and 404 are `not_found`.
 */
import type { Clock } from '../../kernel/clock';
import { VenueOrderError } from '../../ports/venue';
import { parseLosslessJson } from '../common/losslessJson';
import { neverSent } from '../common/preflightProbes';
import type { RequestBudget, RequestPriority } from '../common/requestBudget';
import type { RestHealth } from '../common/restHealth';
import type { ExtendedAdapterConfig } from './config';
import { EXTENDED_ORDER_NOT_FOUND } from './constants';

const ORDER_NOT_FOUND = EXTENDED_ORDER_NOT_FOUND;

export interface ExtendedRestOptions {
  config: Pick<ExtendedAdapterConfig, 'restUrl' | 'requestTimeoutMs' | 'apiKey' | 'userAgent'>;
  clock: Clock;
  budget: RequestBudget;
  /** The adapter's counters (shared: the console reads them through the adapter's health). */
  stats: { rateLimited: number; lastOrderLatencyMs: number | undefined };
  /** Whether REST answers at all (the adapter's health). */
  restHealth: RestHealth;
}

export class ExtendedRest {
  constructor(private readonly options: ExtendedRestOptions) {}

  /** The headers every call and stream carries. */
  headers(): Record<string, string> {
    return { 'X-Api-Key': this.options.config.apiKey, 'User-Agent': this.options.config.userAgent ?? 'lx-hedge/0.1' };
  }

  /** One REST call: the budget, both headers, the {status, data, error} envelope, exact ids; its data. */
  async call(method: string, path: string, body?: unknown, priority?: RequestPriority): Promise<unknown> {
    return (await this.callPaged(method, path, body, priority)).data;
  }

  /** The same, with the page cursor of a paginated answer (`pagination.cursor`; null on the last page). */
  async callPaged(
    method: string,
    path: string,
    body?: unknown,
    priority: RequestPriority = method === 'GET' ? 'read' : 'cancel'
  ): Promise<{ data: unknown; cursor: string | null }> {
    await this.options.budget.take(priority);
    try {
      const answer = await this.send(method, path, body);
      this.options.restHealth.answered();
      return answer;
    } catch (error) {
      // A refusal (4xx with the venue's envelope, not found) is an answer: REST works.
      if (error instanceof VenueOrderError && (error.kind === 'rejected' || error.kind === 'not_found')) this.options.restHealth.answered();
      else this.options.restHealth.failed(this.options.clock.now(), String(error));
      throw error;
    }
  }

  private async send(method: string, path: string, body: unknown): Promise<{ data: unknown; cursor: string | null }> {
    const started = this.options.clock.monotonic();
    // A create that died after it was sent, or whose answer is unreadable, may have executed.
    const creates = method === 'POST' && path === '/user/order';
    let response: Response;
    try {
      response = await fetch(`${this.options.config.restUrl}${path}`, {
        method,
        headers: { ...this.headers(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.config.requestTimeoutMs ?? 10_000)
      });
    } catch (error) {
      const { neverSent: refused, code } = neverSent(error);
      throw new VenueOrderError('E', creates && !refused ? 'unknown' : 'network', `${method} ${path}: ${(error as Error).message}${code ? ` (${code})` : ''}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new VenueOrderError('E', creates ? 'unknown' : 'network', `${method} ${path}: HTTP ${response.status}, body cut: ${(error as Error).message}`);
    }
    if (method !== 'GET') this.options.stats.lastOrderLatencyMs = this.options.clock.monotonic() - started;
    const status = response.status;
    if (status === 429) {
      this.options.stats.rateLimited += 1;
      throw new VenueOrderError('E', 'rate_limited', `${method} ${path}: too many requests`, 429, status);
    }
    // Some calls answer 2xx with an empty body (the dead man's switch does, as CCXT documents).
    if (response.ok && text.trim() === '') return { data: null, cursor: null };
    let envelope: { status?: unknown; data?: unknown; error?: { code?: unknown; message?: unknown }; pagination?: { cursor?: unknown } };
    try {
      envelope = parseLosslessJson(text) as typeof envelope;
    } catch {
      // An HTML page from a CDN or a WAF (403, 503) is not the venue's answer: a create may still have gone through.
      throw new VenueOrderError('E', creates ? 'unknown' : 'network', `${method} ${path}: HTTP ${status}, not JSON: ${text.slice(0, 120)}`, status, status);
    }
    // The envelope's status decides even on HTTP 200 (CCXT treats a 200 with status ERROR as an error).
    const ok = response.ok && String(envelope.status).toUpperCase() === 'OK';
    if (!ok) {
      const code = typeof envelope.error?.code === 'number' ? envelope.error.code : status;
      const message = `${method} ${path}: ${code} ${String(envelope.error?.message ?? `HTTP ${status}`)}`;
      if (status >= 500) throw new VenueOrderError('E', creates ? 'unknown' : 'network', message, code, status);
      throw new VenueOrderError('E', code === ORDER_NOT_FOUND || status === 404 ? 'not_found' : 'rejected', message, code, status);
    }
    const cursor = envelope.pagination?.cursor;
    return { data: envelope.data, cursor: cursor === undefined || cursor === null ? null : String(cursor) };
  }
}
