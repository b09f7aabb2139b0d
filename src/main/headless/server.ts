/**
 * The headless console: serves the built renderer and the WebSocket bridge on one port.
 *
 * The access token never travels in a cookie or a request line: cookies are sent to every port of
 * 127.0.0.1 (a server on another local port would receive it), and URLs end up in logs. The URL
 * printed at start carries it in the fragment (`#token=`), which the browser keeps to itself; the
 * page sends it as the first frame on its WebSocket. Static files hold no secret and need none.
 * Until a connection has sent the right token it gets nothing and can do nothing.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { BridgeServerFrame } from '../../shared/contract';
import { commandError } from '../../shared/commands';
import type { EngineHost } from '../host/engineHost';
import type { Logger } from '../log/mainLog';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'"
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2'
};

/** A client that cannot keep up is cut off rather than let its queue grow without bound... */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** ...and all of them together may not hold more than this (the slowest goes first). */
const MAX_BUFFERED_TOTAL = 64 * 1024 * 1024;
/** Commands and queries one connection may send: a burst, refilled per second. */
const COMMANDS_BURST = 40;
const COMMANDS_PER_SECOND = 20;
/** ...and all connections together (a flood spread over many connections is still a flood). Kills are never refused: the host coalesces them. */
const HOST_COMMANDS_BURST = 100;
const HOST_COMMANDS_PER_SECOND = 50;
/** Viewers at once; and connections that have not yet sent the token, and how long they may take. */
export const MAX_VIEWERS = 32;
const MAX_UNAUTHENTICATED = 16;
const AUTH_TIMEOUT_MS = 5000;
/** Close codes the page understands: a wrong token (do not retry), too many viewers. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_TOO_MANY = 4429;
/** A console token: 32 or more URL-safe characters (24 random bytes, base64url). */
export const STRONG_TOKEN = /^[A-Za-z0-9_-]{32,256}$/;

/** Loopback addresses: anything else exposes the console (plain http) to the network. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface HeadlessServerOptions {
  host: EngineHost;
  rendererDir: string;
  bindHost: string;
  port: number;
  log: Logger;
  /** A chosen token (STRONG_TOKEN: 32+ URL-safe characters); a random one otherwise. */
  token?: string;
  /** Bind to a non-loopback address (plain http on the network): refused unless set. */
  allowRemote?: boolean;
}

export interface HeadlessServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function sameToken(expected: Buffer, candidate: string | undefined | null): boolean {
  if (!candidate) return false;
  const given = Buffer.from(candidate);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A client frame as JSON, or undefined (binary, not JSON): never a throw. */
function frameOf(data: RawData, isBinary: boolean): unknown {
  if (isBinary) return undefined;
  try {
    return JSON.parse(data.toString());
  } catch {
    return undefined;
  }
}

/** A bucket of `burst` tokens refilled at `perSecond`. */
function rateLimiter(burst: number, perSecond: number): () => boolean {
  let allowance = burst;
  let refilledAt = Date.now();
  return () => {
    const now = Date.now();
    allowance = Math.min(burst, allowance + ((now - refilledAt) / 1000) * perSecond);
    refilledAt = now;
    if (allowance < 1) return false;
    allowance -= 1;
    return true;
  };
}

function securityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cache-Control', 'no-store');
}

/** The request's URL, or null when it is not one (`//`, a bare host...): never a throw. */
function requestUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  if (!isLoopback(options.bindHost) && !options.allowRemote) {
    throw new TypeError(
      `--host ${options.bindHost}: the console would be served on the network over plain http. Keep it on 127.0.0.1 and use an SSH tunnel (ssh -L 8787:127.0.0.1:8787 server), or pass --allow-remote if you really mean it`
    );
  }
  if (!isLoopback(options.bindHost))
    options.log.warn(`headless console bound to ${options.bindHost} (--allow-remote): plain http on the network; prefer an SSH tunnel`);
  if (options.token !== undefined && !STRONG_TOKEN.test(options.token))
    throw new TypeError(`console token: expected 32 to 256 URL-safe characters (A-Z a-z 0-9 _ -), got ${options.token.length} character(s)`);
  const token = options.token ?? randomBytes(24).toString('base64url');
  const expected = Buffer.from(token);
  const rendererDir = resolve(options.rendererDir);

  const server = createServer((request, response) => {
    void serveHttp(request, response).catch((error: unknown) => {
      options.log.error(`headless http: ${String(error)}`);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });

  async function serveHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    securityHeaders(response);
    const url = requestUrl(request.url);
    if (!url) {
      response.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('400 Bad Request\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' });
      response.end();
      return;
    }
    let relative: string;
    try {
      relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    } catch {
      // A malformed percent-encoding (`%E0%A4%A`) is the client's error, not ours.
      response.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('400 Bad Request: malformed percent-encoding\n');
      return;
    }
    const file = resolve(join(rendererDir, relative));
    if (!file.startsWith(rendererDir + sep)) {
      response.writeHead(404);
      response.end();
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('404 Not Found\n');
      return;
    }
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  server.on('upgrade', (request, socket, head) => {
    // Any page open in the trader's browser can send an upgrade: nothing in it may throw out of here.
    socket.on('error', () => socket.destroy());
    try {
      const url = requestUrl(request.url);
      // A browser always sends Origin: it must be this very server, so that another site open in the
      // same browser cannot even open the socket. Non-browser clients send none; all need the token.
      const origin = request.headers.origin;
      const originOk = origin === undefined || origin === `http://${request.headers.host}`;
      if (!url || url.pathname !== '/ws' || !originOk) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (unauthenticated >= MAX_UNAUTHENTICATED) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(request, socket, head, (client) => attach(client));
    } catch (error) {
      options.log.warn(`headless ws upgrade refused: ${String(error)}`);
      socket.destroy();
    }
  });

  let limited = 0;
  let unauthenticated = 0;
  let viewers = 0;
  const hostAllowed = rateLimiter(HOST_COMMANDS_BURST, HOST_COMMANDS_PER_SECOND);
  /** One serialisation per frame, shared by every viewer (the host hands all of them the same object). */
  const serialized = new WeakMap<object, string>();
  const textOf = (frame: BridgeServerFrame): string => {
    let text = serialized.get(frame);
    if (text === undefined) {
      text = JSON.stringify(frame);
      serialized.set(frame, text);
    }
    return text;
  };

  /** The slowest viewers go first once all of them together buffer more than MAX_BUFFERED_TOTAL. */
  function capTotalBuffered(): void {
    let total = 0;
    for (const client of wss.clients) total += client.bufferedAmount;
    if (total <= MAX_BUFFERED_TOTAL) return;
    const slowest = [...wss.clients].sort((a, b) => b.bufferedAmount - a.bufferedAmount);
    for (const client of slowest) {
      if (total <= MAX_BUFFERED_TOTAL) break;
      total -= client.bufferedAmount;
      options.log.warn(`headless ws: viewers buffer ${Math.round(total / 1e6)} MB together; the slowest is disconnected`);
      client.terminate();
    }
  }

  /** A new connection: nothing but the token frame is read until it came, within AUTH_TIMEOUT_MS. */
  function attach(client: WebSocket): void {
    unauthenticated += 1;
    let authenticated = false;
    const timer = setTimeout(() => client.close(CLOSE_UNAUTHORIZED, 'no token'), AUTH_TIMEOUT_MS);
    const settle = () => {
      clearTimeout(timer);
      unauthenticated -= 1;
    };
    client.once('close', () => {
      if (!authenticated) settle();
    });
    client.on('error', () => client.terminate());
    client.once('message', (data, isBinary) => {
      const frame = frameOf(data, isBinary);
      const candidate = (frame as { kind?: unknown; token?: unknown } | undefined)?.kind === 'auth' ? (frame as { token?: unknown }).token : undefined;
      if (client.readyState !== client.OPEN) return;
      if (!sameToken(expected, typeof candidate === 'string' ? candidate : null)) {
        client.close(CLOSE_UNAUTHORIZED, 'wrong token');
        return;
      }
      if (viewers >= MAX_VIEWERS) {
        client.close(CLOSE_TOO_MANY, `at most ${MAX_VIEWERS} consoles at once`);
        return;
      }
      authenticated = true;
      settle();
      viewers += 1;
      client.once('close', () => (viewers -= 1));
      serve(client);
    });
  }

  function serve(client: WebSocket): void {
    const send = (frame: BridgeServerFrame) => {
      if (client.readyState !== client.OPEN) return;
      if (client.bufferedAmount > MAX_BUFFERED_BYTES) {
        options.log.warn('headless ws: client too slow, disconnected');
        client.terminate();
        return;
      }
      // Called from promise continuations too: a frame that cannot be written is logged, never thrown.
      try {
        client.send(textOf(frame));
        capTotalBuffered();
      } catch (error) {
        options.log.warn(`headless ws: a frame could not be sent (${String(error)})`);
      }
    };
    // Per connection: a burst of commands, then COMMANDS_PER_SECOND (a flood is answered, not run).
    const allowed = rateLimiter(COMMANDS_BURST, COMMANDS_PER_SECOND);
    const unsubscribe = options.host.subscribe(send);
    client.on('close', unsubscribe);
    client.on('error', unsubscribe);
    client.on('message', (data, isBinary) => {
      const frame = frameOf(data, isBinary);
      const id = (frame as { id?: unknown } | undefined)?.id;
      const kind = (frame as { kind?: unknown } | undefined)?.kind;
      const isKill = kind === 'command' && (frame as { command?: { type?: unknown } }).command?.type === 'kill';
      // A kill is never refused (the host runs one at a time and joins the rest to it).
      if (!isKill && !(allowed() && hostAllowed())) {
        limited += 1;
        if (limited === 1 || limited % 1000 === 0)
          options.log.warn(
            `headless ws: ${limited} command(s) refused by the rate limit (${COMMANDS_PER_SECOND}/s per connection, ${HOST_COMMANDS_PER_SECOND}/s in all)`
          );
        send({
          kind: 'result',
          id: typeof id === 'number' && Number.isSafeInteger(id) ? id : -1,
          result: commandError('REJECTED', `too many commands: at most ${COMMANDS_PER_SECOND} a second per console and ${HOST_COMMANDS_PER_SECOND} in all`)
        });
        return;
      }
      if (typeof id === 'number' && Number.isSafeInteger(id) && kind === 'query') {
        void options.host
          .query((frame as { request?: unknown }).request)
          .catch((error: unknown) => commandError('INTERNAL', `query failed: ${String(error)}`) as never)
          .then((result) => send({ kind: 'queryResult', id, result }));
        return;
      }
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || kind !== 'command') {
        send({
          kind: 'result',
          id: typeof id === 'number' && Number.isSafeInteger(id) ? id : -1,
          result: commandError('INVALID_COMMAND', 'frame: expected {"kind":"command","id":<integer>,"command":{...}}', {
            field: 'frame'
          })
        });
        return;
      }
      void options.host
        .command((frame as { command?: unknown }).command)
        .catch((error: unknown) => commandError('INTERNAL', `command failed: ${String(error)}`))
        .then((result) => send({ kind: 'result', id, result }));
    });
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.bindHost, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostText = options.bindHost.includes(':') ? `[${options.bindHost}]` : options.bindHost;
  return {
    url: `http://${hostText}:${port}/#token=${token}`,
    port,
    token,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    }
  };
}
