/**
 * Lighter's transaction client: one nonce sequence per API key; txs signed and sent one at a time,
 * the most urgent first (cancels, taker orders, reads, quotes) within the request budget; over the
 * account WebSocket while it is up, REST sendTx (multipart) otherwise; every answer classified: a
 * typed refusal, or `unknown` when it was lost (the tx may have been sequenced).
 */
import { sleep, type Clock, type TimerHandle } from '../../kernel/clock';
import { VenueOrderError } from '../../ports/venue';
import { neverSent } from '../common/preflightProbes';
import type { ReconnectingSocket } from '../common/reconnectingSocket';
import { PRIORITY_RANK, WithdrawnError, type RequestBudget, type RequestPriority } from '../common/requestBudget';
import type { LighterAdapterConfig } from './config';
import { LIGHTER_ERROR, LIGHTER_TX_PIPELINE_WAIT_MS, LIGHTER_TX_TIMEOUT_MS } from './constants';
import { FrameError } from './parse';
import { lighterRequestWeight } from '../../../shared/lighterTiers';
import type { SignedTx } from './signer';

const TX_TIMEOUT_MS = LIGHTER_TX_TIMEOUT_MS;
const TX_RANK = PRIORITY_RANK;
const INVALID_NONCE = LIGHTER_ERROR.invalidNonce;
const TOO_MANY_REQUESTS = LIGHTER_ERROR.tooManyRequests;
/** The venue's answer to a cancel of an order that does not rest. */
const NOT_AN_ACTIVE_ORDER = LIGHTER_ERROR.notAnActiveOrder;

export interface LighterTxClientOptions {
  config: Pick<LighterAdapterConfig, 'restUrl' | 'requestTimeoutMs' | 'accountIndex' | 'apiKeyIndex'>;
  clock: Clock;
  budget: RequestBudget;
  /** The adapter's counters (shared: the console reads them through the adapter's health). */
  stats: { rateLimited: number; nonceResyncs: number; lastOrderLatencyMs: number | undefined };
  /** An authenticated-or-public REST GET of the adapter (budgeted, at this priority). */
  rest(path: string, priority?: RequestPriority): Promise<Record<string, unknown>>;
  /** The account socket when it can carry a tx now, else null (REST then). */
  socket(): ReconnectingSocket | null;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export class LighterTxClient {
  private nonce: number | null = null;
  private txSeq = 0;
  private readonly pendingTx = new Map<string, { resolve(): void; reject(error: Error): void; timer: TimerHandle }>();

  constructor(private readonly options: LighterTxClientOptions) {}

  /**
   * The next nonce, as the venue knows it, read with the urgency of the tx that needs it. A read the
   * venue rate-limits is tried again (at most 3 times, 1 s apart): the tx waiting for it (perhaps a
   * cancel) must not fail unsent because of it.
   */
  async resyncNonce(priority: RequestPriority = 'read'): Promise<number> {
    this.nonce = await this.readNonce(priority);
    return this.nonce;
  }

  /** The venue's next nonce for the key, read and not used (preflight reads it beside a live session). */
  async readNonce(priority: RequestPriority = 'read'): Promise<number> {
    const { accountIndex, apiKeyIndex } = this.options.config;
    for (let attempt = 1; ; attempt++) {
      try {
        const body = await this.options.rest(`nextNonce?account_index=${accountIndex}&api_key_index=${apiKeyIndex}`, priority);
        if (typeof body.nonce !== 'number') throw new FrameError('nonce', body.nonce);
        return body.nonce;
      } catch (error) {
        if (!(error instanceof VenueOrderError && error.kind === 'rate_limited') || attempt >= 3) throw error;
        await sleep(this.options.clock, 1000);
      }
    }
  }

  /** Txs sent over the socket whose answer has not come yet. */
  get awaitingAnswers(): number {
    return this.pendingTx.size;
  }

  /**
   * The stream's answer to a tx (`jsonapi/sendtx`, accepted or refused), or an error frame about a
   * tx. The venue may leave the id out: txs go out one at a time, so an answer without an id is the
   * oldest one waiting. False when no tx waits for it.
   */
  answered(id: string | undefined, error?: { code: number; message: string }): boolean {
    const key = id !== undefined && this.pendingTx.has(id) ? id : id === undefined ? this.pendingTx.keys().next().value : undefined;
    const pending = key === undefined ? undefined : this.pendingTx.get(key);
    if (!pending || key === undefined) return false;
    this.options.clock.clearTimeout(pending.timer);
    this.pendingTx.delete(key);
    if (error) pending.reject(this.txError(error.code, error.message));
    else pending.resolve();
    return true;
  }

  /** The socket that carried txs closed: their answers are lost with it, and they may have executed. */
  socketClosed(reason: string): void {
    for (const [id, pending] of this.pendingTx) {
      this.options.clock.clearTimeout(pending.timer);
      pending.reject(new VenueOrderError('L', 'unknown', `sendtx ${id}: account socket closed before the answer (${reason})`));
    }
    this.pendingTx.clear();
  }

  /** A venue error code in the engine's terms. */
  txError(code: number, message: string): VenueOrderError {
    if (code === TOO_MANY_REQUESTS || code === LIGHTER_ERROR.wsRateLimited || code === 429) {
      this.options.stats.rateLimited += 1;
      return new VenueOrderError('L', 'rate_limited', `${code} ${message}`, code);
    }
    if (code === NOT_AN_ACTIVE_ORDER) return new VenueOrderError('L', 'not_found', `${code} ${message}`, code);
    // "invalid nonce" comes as 21104, or as a plain 400 with the words (lighter-python matches the words).
    if (code === INVALID_NONCE || /invalid nonce/i.test(message)) return new VenueOrderError('L', 'rejected', `${code} ${message}`, INVALID_NONCE);
    return new VenueOrderError('L', code >= 29_500 ? 'network' : 'rejected', `${code} ${message}`, code);
  }

  /**
   * Signs with the next nonce and sends: over the WebSocket when it is up, else over REST. An
   * invalid-nonce answer resynchronises the nonce from the venue and tries once more. Txs go out
   * one at a time (nonces in order); each waits for a slot of the request budget, and when one
   * frees up the most urgent waiting tx takes it: a kill's cancel-all, then taker orders (hedges),
   * then cancels, then quotes, so neither the kill switch nor a hedge ever queues behind quotes.
   */
  submit(sign: (nonce: number) => SignedTx, priority: RequestPriority): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      // The budget grants slots most urgent first; granted txs are signed and sent one at a time.
      // A tx weighs 6 in the venue's weighted limit (sendTx), 1 in the request count.
      this.options.budget.take(priority, lighterRequestWeight('sendTx')).then(
        () => {
          // Granted txs wait for the sender most urgent first too: a hedge overtakes granted quotes.
          const at = this.txReady.findIndex((waiting) => TX_RANK[waiting.priority] > TX_RANK[priority]);
          const job = { sign, resolve, reject, priority };
          if (at < 0) this.txReady.push(job);
          else this.txReady.splice(at, 0, job);
          void this.drainTxQueue();
        },
        (error: unknown) => reject(this.withdrawnError(error))
      );
    });
  }

  /** A tx withdrawn before it left is the engine's definite "did not execute". */
  private withdrawnError(error: unknown): unknown {
    return error instanceof WithdrawnError ? new VenueOrderError('L', 'rejected', error.message) : error;
  }

  /**
   * Quotes not yet sent (waiting for a budget slot, or granted and waiting for the sender) are
   * withdrawn: a kill must not be followed by a quote that was still queued. Returns how many.
   */
  withdrawQuotes(reason: string): number {
    let count = this.options.budget.withdraw('quote', reason);
    for (let i = this.txReady.length - 1; i >= 0; i--) {
      const job = this.txReady[i] as (typeof this.txReady)[number];
      if (job.priority !== 'quote') continue;
      this.txReady.splice(i, 1);
      job.reject(this.withdrawnError(new WithdrawnError(reason)));
      count += 1;
    }
    return count;
  }

  private readonly txReady: Array<{
    sign: (nonce: number) => SignedTx;
    resolve(latency: number): void;
    reject(error: unknown): void;
    priority: RequestPriority;
  }> = [];
  private draining = false;

  private async drainTxQueue(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let job = this.txReady.shift(); job; job = this.txReady.shift()) {
        const done = this.sendSigned(job.sign, job.priority).then(job.resolve, job.reject);
        // The next tx waits for this one's answer (nonces in order, an id-less answer is the oldest
        // one's), but not past LIGHTER_TX_PIPELINE_WAIT_MS: a lost answer must not hold the kill and
        // the hedges behind it for the whole TX_TIMEOUT_MS.
        await this.answerOrPause(done, LIGHTER_TX_PIPELINE_WAIT_MS);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Resolves when `done` settles or after `ms`, whichever comes first. */
  private answerOrPause(done: Promise<unknown>, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.options.clock.setTimeout(resolve, ms);
      void done.finally(() => {
        this.options.clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  private async sendSigned(sign: (nonce: number) => SignedTx, priority: RequestPriority): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      if (this.nonce === null) await this.resyncNonce(priority);
      const nonce = this.nonce as number;
      const tx = sign(nonce);
      // Taken now: the next tx may leave before this one is answered.
      this.nonce = nonce + 1;
      const started = this.options.clock.monotonic();
      try {
        await this.send(tx);
        this.options.stats.lastOrderLatencyMs = this.options.clock.monotonic() - started;
        return this.options.stats.lastOrderLatencyMs;
      } catch (error) {
        if (error instanceof VenueOrderError && error.code === INVALID_NONCE && attempt === 0) {
          this.options.stats.nonceResyncs += 1;
          this.options.log('warn', `invalid nonce ${nonce}: resynchronising from nextNonce`);
          this.nonce = null;
          continue;
        }
        // A refused tx (a rule, a rate limit, a request that never left) did not consume its nonce:
        // the next tx uses it, unless one already left with the next (that one is then refused
        // "invalid nonce", which reads the nonce again and tries once more). A lost answer probably
        // did consume it (the venue received it): the nonce stays taken. No nonce read per lost
        // answer (each would cost a request of the budget).
        const consumed = error instanceof VenueOrderError && (error.kind === 'unknown' || error.kind === 'timeout');
        if (!consumed && this.nonce === nonce + 1) this.nonce = nonce;
        throw error;
      }
    }
  }

  private send(tx: SignedTx): Promise<void> {
    const socket = this.options.socket();
    if (socket) {
      const id = `lx-${++this.txSeq}`;
      return new Promise<void>((resolve, reject) => {
        const timer = this.options.clock.setTimeout(() => {
          this.pendingTx.delete(id);
          // Unanswered is not "nothing happened": the tx may have been sequenced.
          reject(new VenueOrderError('L', 'unknown', `sendtx ${id} unanswered after ${TX_TIMEOUT_MS} ms`));
        }, TX_TIMEOUT_MS);
        this.pendingTx.set(id, { resolve, reject, timer });
        if (!socket.send({ type: 'jsonapi/sendtx', data: { id, tx_type: tx.txType, tx_info: JSON.parse(tx.txInfo) } })) {
          this.options.clock.clearTimeout(timer);
          this.pendingTx.delete(id);
          void this.sendRest(tx).then(resolve, reject);
        }
      });
    }
    return this.sendRest(tx);
  }

  /**
   * POST /api/v1/sendTx as multipart/form-data (what the OpenAPI spec declares and CCXT sends). A
   * request that failed to connect never reached the venue; one that died after it was sent, or
   * whose answer is not the venue's JSON, may have executed: unknown.
   */
  private async sendRest(tx: SignedTx): Promise<void> {
    const form = new FormData();
    form.set('tx_type', String(tx.txType));
    form.set('tx_info', tx.txInfo);
    form.set('price_protection', 'true');
    // The bucket was charged by submit(): this request goes straight out.
    let response: Response;
    try {
      response = await fetch(`${this.options.config.restUrl}/api/v1/sendTx`, {
        method: 'POST',
        body: form,
        signal: AbortSignal.timeout(this.options.config.requestTimeoutMs ?? 10_000)
      });
    } catch (error) {
      const { neverSent: refused, code } = neverSent(error);
      throw new VenueOrderError('L', refused ? 'network' : 'unknown', `sendTx: ${(error as Error).message}${code ? ` (${code})` : ''}`);
    }
    let body: { code?: number; message?: string };
    try {
      body = (await response.json()) as { code?: number; message?: string };
    } catch (error) {
      if (response.status === 429) throw this.txError(TOO_MANY_REQUESTS, 'Too Many Requests');
      throw new VenueOrderError('L', 'unknown', `sendTx: HTTP ${response.status} without a readable JSON answer (${(error as Error).message})`);
    }
    if (response.status === 429) throw this.txError(TOO_MANY_REQUESTS, body.message ?? 'Too Many Requests');
    // A server error says nothing certain about the transaction: it may have been sequenced.
    if (response.status >= 500) throw new VenueOrderError('L', 'unknown', `sendTx: HTTP ${response.status} ${body.message ?? ''}`.trim());
    if (!response.ok || body.code !== 200) throw this.txError(body.code ?? response.status, body.message ?? `HTTP ${response.status}`);
  }
}
