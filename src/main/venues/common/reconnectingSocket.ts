/**
 * One venue WebSocket that stays up: it reconnects with exponential backoff and jitter (also after
 * the venue's scheduled drops), tells a dead connection from a quiet one (after `staleMs` without
 * a frame it sends a WebSocket ping; nothing back, no frame and no pong, for `deadMs` = the
 * connection is dead and is replaced; a pong means quiet but alive), records raw frames, and tells
 * its owner when it opened (to resubscribe) and closed.
 */
import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../../kernel/clock';
import type { FrameRecorder } from './recorder';

export interface ReconnectingSocketOptions {
  name: string;
  url: string;
  headers?: Record<string, string>;
  clock: Clock;
  recorder: FrameRecorder;
  /** Silence after which the socket is pinged (0 = never). */
  staleMs: number;
  /** Silence, pongs included, after which the connection is dead and replaced (default 2 x staleMs). */
  deadMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  onOpen(): void;
  onFrame(text: string, receivedAt: number): void;
  onClose(reason: string): void;
}

export class ReconnectingSocket {
  private socket: WebSocket | null = null;
  private stopped = true;
  private attempt = 0;
  private reconnectTimer: TimerHandle | null = null;
  private staleTimer: TimerHandle | null = null;
  private lastFrameAt = 0;
  /** Last frame or pong: the connection is alive. */
  private lastHeardAt = 0;
  private pingedAt = 0;
  connected = false;
  /** Connections replaced because nothing, not even a pong, came back. */
  deadConnections = 0;

  constructor(private readonly options: ReconnectingSocketOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) this.options.clock.clearTimeout(this.reconnectTimer);
    if (this.staleTimer) this.options.clock.clearTimeout(this.staleTimer);
    this.reconnectTimer = null;
    this.staleTimer = null;
    this.socket?.terminate();
    this.socket = null;
    this.connected = false;
  }

  send(message: unknown): boolean {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    return true;
  }

  /** Drops the connection now; it comes back by itself (a resync, a gap, a stale feed). */
  restart(reason: string): void {
    if (!this.socket) return;
    this.socket.terminate();
    this.handleClose(reason);
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = new WebSocket(this.options.url, { headers: this.options.headers, handshakeTimeout: 10_000 });
    this.socket = socket;
    socket.on('open', () => {
      if (socket !== this.socket) return;
      this.connected = true;
      this.attempt = 0;
      this.lastFrameAt = this.options.clock.monotonic();
      this.lastHeardAt = this.lastFrameAt;
      this.watchStale();
      this.options.onOpen();
    });
    socket.on('pong', () => {
      if (socket === this.socket) this.lastHeardAt = this.options.clock.monotonic();
    });
    socket.on('message', (data) => {
      if (socket !== this.socket) return;
      const receivedAt = this.options.clock.now();
      this.lastFrameAt = this.options.clock.monotonic();
      this.lastHeardAt = this.lastFrameAt;
      const text = data.toString();
      this.options.recorder.record(this.options.name, text, receivedAt);
      this.options.onFrame(text, receivedAt);
    });
    socket.on('close', (code, reason) => {
      if (socket === this.socket) this.handleClose(`closed ${code}${reason.length ? ` ${reason.toString()}` : ''}`);
    });
    socket.on('error', (error) => {
      if (socket === this.socket) this.handleClose(`error ${error.message}`);
    });
  }

  private handleClose(reason: string): void {
    const wasConnected = this.connected;
    this.connected = false;
    this.socket?.removeAllListeners();
    this.socket?.on('error', () => undefined);
    this.socket = null;
    if (this.staleTimer) this.options.clock.clearTimeout(this.staleTimer);
    this.staleTimer = null;
    if (wasConnected || this.attempt === 0) this.options.onClose(reason);
    if (this.stopped) return;
    // Exponential backoff with full jitter: many clients never reconnect in lockstep.
    const min = this.options.minBackoffMs ?? 250;
    const max = this.options.maxBackoffMs ?? 30_000;
    const ceiling = Math.min(max, min * 2 ** this.attempt);
    const delay = min + Math.floor((this.options.random ?? Math.random)() * (ceiling - min + 1));
    this.attempt += 1;
    this.reconnectTimer = this.options.clock.setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private watchStale(): void {
    const staleMs = this.options.staleMs;
    if (!staleMs) return;
    this.staleTimer = this.options.clock.setTimeout(
      () => {
        this.staleTimer = null;
        if (!this.connected) return;
        const now = this.options.clock.monotonic();
        const deadMs = this.options.deadMs ?? staleMs * 2;
        if (now - this.lastHeardAt >= deadMs) {
          this.deadConnections += 1;
          this.restart(`dead: no frame and no pong for ${now - this.lastHeardAt} ms`);
          return;
        }
        // Quiet: ask whether the other end is still there (a pong keeps a quiet feed connected).
        if (now - this.lastFrameAt >= staleMs && now - this.pingedAt >= staleMs / 2) {
          this.pingedAt = now;
          try {
            this.socket?.ping();
          } catch {
            // A socket closing under us: its close event takes over.
          }
        }
        this.watchStale();
      },
      Math.max(50, Math.floor(staleMs / 4))
    );
  }
}
