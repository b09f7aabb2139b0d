/**
 * Lighter's transaction client: one nonce sequence per API key; txs signed and sent one at a time,
 * the most urgent first (cancels, taker orders, reads, quotes) within the request budget; over the
 * account WebSocket while it is up, REST sendTx (multipart) otherwise; every answer classified: a
 * typed refusal, or `unknown` when it was lost (the tx may have been sequenced).
 */
import type { Clock, TimerHandle } from '../../kernel/clock';
import { VenueOrderError } from '../../ports/venue';
import { neverSent } from '../common/preflightProbes';
import type { ReconnectingSocket } from '../common/reconnectingSocket';
import type { RequestBudget, RequestPriority } from '../common/requestBudget';
import type { LighterAdapterConfig } from './config';
import { LIGHTER_ERROR, LIGHTER_TX_TIMEOUT_MS } from './constants';
import { FrameError } from './parse';
import type { SignedTx } from './signer';

const TX_TIMEOUT_MS = LIGHTER_TX_TIMEOUT_MS;
const TX_RANK: Record<RequestPriority, number> = { cancel: 0, taker: 1, read: 2, quote: 3 };
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
  /** An authenticated-or-public REST GET of the adapter (budgeted). */
  rest(path: string): Promise<Record<string, unknown>>;
  /** The account socket when it can carry a tx now, else null (REST then). */
  socket(): ReconnectingSocket | null;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export class LighterTxClient {
  private nonce: number | null = null;
  private txSeq = 0;
  private readonly pendingTx = new Map<string, { resolve(): void; reject(error: Error): void; timer: TimerHandle }>();

  constructor(private readonly options: LighterTxClientOptions) {}

  /** The next nonce, as the venue knows it. */
  async resyncNonce(): Promise<number> {
    const { accountIndex, apiKeyIndex } = this.options.config;
    const body = await this.options.rest(`nextNonce?account_index=${accountIndex}&api_key_index=${apiKeyIndex}`);
    if (typeof body.nonce !== 'number') throw new FrameError('nonce', body.nonce);
    this.nonce = body.nonce;
    return body.nonce;
  }

  /** Txs sent over the socket whose answer has not come yet. */
  get awaitingAnswers(): number {
    return this.pendingTx.size;
  }

  /**
   * The stream's answer to a tx (`jsonapi/sendtx`), or an error frame carrying a tx's id. False
   * when no tx waits for that id.
   */
  answered(id: string, error?: { code: number; message: string }): boolean {
    const pending = this.pendingTx.get(id);
    if (!pending) return false;
    this.options.clock.clearTimeout(pending.timer);
    this.pendingTx.delete(id);
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
    if (code === TOO_MANY_REQUESTS) {
      this.options.stats.rateLimited += 1;
      return new VenueOrderError('L', 'rate_limited', message, code);
    }
    if (code === NOT_AN_ACTIVE_ORDER) return new VenueOrderError('L', 'not_found', `${code} ${message}`, code);
    return new VenueOrderError('L', code >= 29_500 ? 'network' : 'rejected', `${code} ${message}`, code);
  }

  /**
   * Signs with the next nonce and sends: over the WebSocket when it is up, else over REST. An
   * invalid-nonce answer resynchronises the nonce from the venue and tries once more. Txs go out
   * one at a time (nonces in order); each waits for a slot of the request budget, and when one
   * frees up the most urgent waiting tx takes it: cancels, then taker orders (hedges), then quotes,
   * so neither the kill switch nor a hedge ever queues behind quotes.
   */
  submit(sign: (nonce: number) => SignedTx, priority: RequestPriority): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      // The budget grants slots most urgent first; granted txs are signed and sent one at a time.
      void this.options.budget.take(priority).then(() => {
        // Granted txs wait for the sender most urgent first too: a hedge overtakes granted quotes.
        const at = this.txReady.findIndex((waiting) => TX_RANK[waiting.priority] > TX_RANK[priority]);
        const job = { sign, resolve, reject, priority };
        if (at < 0) this.txReady.push(job);
        else this.txReady.splice(at, 0, job);
        void this.drainTxQueue();
      });
    });
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
        try {
          job.resolve(await this.sendSigned(job.sign));
        } catch (error) {
          job.reject(error);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async sendSigned(sign: (nonce: number) => SignedTx): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      if (this.nonce === null) await this.resyncNonce();
      const nonce = this.nonce as number;
      const tx = sign(nonce);
      const started = this.options.clock.monotonic();
      try {
        await this.send(tx);
        this.nonce = nonce + 1;
        this.options.stats.lastOrderLatencyMs = this.options.clock.monotonic() - started;
        return this.options.stats.lastOrderLatencyMs;
      } catch (error) {
        if (error instanceof VenueOrderError && error.code === INVALID_NONCE && attempt === 0) {
          this.options.stats.nonceResyncs += 1;
          this.options.log('warn', `invalid nonce ${nonce}: resynchronising from nextNonce`);
          this.nonce = null;
          continue;
        }
        // A tx the API refused did not consume its nonce; a lost answer may have: ask the venue.
        if (!(error instanceof VenueOrderError && (error.kind === 'rejected' || error.kind === 'not_found'))) this.nonce = null;
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
