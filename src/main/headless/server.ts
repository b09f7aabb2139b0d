/**
 * The headless console: serves the built renderer and the WebSocket bridge on one port. Every HTTP
 * request and WebSocket upgrade must carry the access token, either as `?token=` (the URL printed
 * at start) or as the HttpOnly cookie set when that URL is first opened.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
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

/** The cookie carries the port in its name: cookies are shared by every port of 127.0.0.1, consoles are not. */
const cookieNameFor = (port: number) => `lx_token_${port}`;
/** A client that cannot keep up is cut off rather than let its queue grow without bound... */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** ...and all of them together may not hold more than this (the slowest goes first). */
const MAX_BUFFERED_TOTAL = 64 * 1024 * 1024;
/** Commands and queries one connection may send: a burst, refilled per second. */
const COMMANDS_BURST = 40;
const COMMANDS_PER_SECOND = 20;

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
  /** Fixed token for tests; a random one otherwise. */
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

function cookieToken(request: IncomingMessage, cookieName: string): string | undefined {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === cookieName) return rest.join('=');
  }
  return undefined;
}

function securityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  // The token travels in the URL once: never leak it through a Referer header.
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
  const token = options.token ?? randomBytes(24).toString('base64url');
  let cookieName = cookieNameFor(options.port);
  const expected = Buffer.from(token);
  const rendererDir = resolve(options.rendererDir);

  const authorized = (request: IncomingMessage, url: URL): 'query' | 'cookie' | null => {
    if (sameToken(expected, url.searchParams.get('token'))) return 'query';
    if (sameToken(expected, cookieToken(request, cookieName))) return 'cookie';
    return null;
  };

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
    const auth = authorized(request, url);
    if (!auth) {
      response.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('401 Unauthorized: open the URL printed when the headless console started (it carries the token).\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' });
      response.end();
      return;
    }
    if (auth === 'query') {
      response.setHeader('Set-Cookie', `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
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
      // same browser cannot ride on the cookie. Non-browser clients send none and need the token.
      const origin = request.headers.origin;
      const originOk = origin === undefined || origin === `http://${request.headers.host}`;
      if (!url || url.pathname !== '/ws' || !authorized(request, url) || !originOk) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(request, socket, head, (client) => attach(client));
    } catch (error) {
      options.log.warn(`headless ws upgrade refused: ${String(error)}`);
      socket.destroy();
    }
  });

  let limited = 0;

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

  function attach(client: WebSocket): void {
    const send = (frame: BridgeServerFrame) => {
      if (client.readyState !== client.OPEN) return;
      if (client.bufferedAmount > MAX_BUFFERED_BYTES) {
        options.log.warn('headless ws: client too slow, disconnected');
        client.terminate();
        return;
      }
      // Called from promise continuations too: a frame that cannot be written is logged, never thrown.
      try {
        client.send(JSON.stringify(frame));
        capTotalBuffered();
      } catch (error) {
        options.log.warn(`headless ws: a frame could not be sent (${String(error)})`);
      }
    };
    // Per connection: a burst of commands, then COMMANDS_PER_SECOND (a flood is answered, not run).
    let allowance = COMMANDS_BURST;
    let refilledAt = Date.now();
    const allowed = (): boolean => {
      const now = Date.now();
      allowance = Math.min(COMMANDS_BURST, allowance + ((now - refilledAt) / 1000) * COMMANDS_PER_SECOND);
      refilledAt = now;
      if (allowance < 1) return false;
      allowance -= 1;
      return true;
    };
    const unsubscribe = options.host.subscribe(send);
    client.on('close', unsubscribe);
    client.on('error', unsubscribe);
    client.on('message', (data, isBinary) => {
      let frame: unknown;
      try {
        frame = isBinary ? undefined : JSON.parse(data.toString());
      } catch {
        frame = undefined;
      }
      const id = (frame as { id?: unknown } | undefined)?.id;
      const kind = (frame as { kind?: unknown } | undefined)?.kind;
      if (!allowed()) {
        limited += 1;
        if (limited === 1 || limited % 1000 === 0)
          options.log.warn(`headless ws: ${limited} command(s) refused by the rate limit (${COMMANDS_PER_SECOND}/s per connection)`);
        send({
          kind: 'result',
          id: typeof id === 'number' && Number.isSafeInteger(id) ? id : -1,
          result: commandError('REJECTED', `too many commands: at most ${COMMANDS_PER_SECOND} a second (burst ${COMMANDS_BURST})`)
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
  cookieName = cookieNameFor(port);
  const hostText = options.bindHost.includes(':') ? `[${options.bindHost}]` : options.bindHost;
  return {
    url: `http://${hostText}:${port}/?token=${token}`,
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
