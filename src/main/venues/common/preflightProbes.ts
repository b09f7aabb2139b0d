/**
 * What both venues' preflight checks share: the table of rows, a check that turns a thrown error
 * into a failed row with its fix, the REST reachability and clock-skew probe, and the WebSocket
 * probe. Each adapter keeps only its venue's own checks.
 */
import WebSocket from 'ws';
import type { VenueId } from '../../../shared/contract';
import { clockSkewRow, type PreflightRow } from '../../ports/preflight';

export interface CheckResult {
  status?: PreflightRow['status'];
  detail: string;
  fix?: string;
}

export class PreflightTable {
  readonly rows: PreflightRow[] = [];

  constructor(private readonly venue: VenueId) {}

  row(check: string, status: PreflightRow['status'], detail: string, fix?: string): void {
    this.rows.push({ venue: this.venue, check, status, detail, fix });
  }

  /** Runs one check: its result is the row (a pass unless it says otherwise); a throw is a fail with `fix`. */
  async check(check: string, work: () => Promise<string | CheckResult>, fix: string): Promise<boolean> {
    try {
      const result = await work();
      const { status = 'pass', detail, fix: ownFix } = typeof result === 'string' ? { detail: result } : result;
      this.row(check, status, detail, ownFix);
      return status !== 'fail';
    } catch (error) {
      this.row(check, 'fail', error instanceof Error ? error.message : String(error), fix);
      return false;
    }
  }

  /**
   * "REST reachable" and "clock skew" from one GET of a public endpoint. False when the venue
   * cannot be reached at all (the other checks would only repeat it).
   */
  async probeRest(baseUrl: string, url: string, headers: Record<string, string>, fix: string): Promise<boolean> {
    const sentAt = Date.now();
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
    } catch (error) {
      this.row('REST reachable', 'fail', `${baseUrl}: ${(error as Error).message}`, fix);
      return false;
    }
    this.row('REST reachable', response.ok ? 'pass' : 'fail', `${baseUrl} answered HTTP ${response.status} in ${Date.now() - sentAt} ms`);
    this.rows.push(clockSkewRow(this.venue, response.headers.get('date'), sentAt, Date.now()));
    return true;
  }
}

/**
 * Opens a stream and waits for its first frame, or only for it to open (an account stream may say
 * nothing): 5 s. Resolves with what it saw; rejects with the URL and the reason.
 */
export function probeStream(url: string, options: { headers?: Record<string, string>; waitForFrame: boolean }): Promise<string> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = new WebSocket(url, { headers: options.headers, handshakeTimeout: 5000 });
    const done = (error: Error | null, text = '') => {
      clearTimeout(timer);
      socket.terminate();
      if (error) reject(error);
      else resolve(text);
    };
    const timer = setTimeout(() => done(new Error(`${url}: nothing within 5 s`)), 5000);
    socket.on('open', () => {
      if (!options.waitForFrame) done(null, `${url}: open in ${Date.now() - started} ms`);
    });
    socket.on('message', () => done(null, `${url}: first frame in ${Date.now() - started} ms`));
    socket.on('unexpected-response', (_request, response) => done(new Error(`${url}: HTTP ${response.statusCode}`)));
    socket.on('error', (error) => done(new Error(`${url}: ${error.message}`)));
  });
}

/**
 * Whether a failed fetch never reached the venue (refused, unknown host): then nothing it asked
 * for can have happened. Any other failure (a reset, a timeout after sending) may have executed.
 */
export function neverSent(error: unknown): { neverSent: boolean; code?: string } {
  const code = (error as { cause?: { code?: string } } | null)?.cause?.code;
  return { neverSent: code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN', code };
}
