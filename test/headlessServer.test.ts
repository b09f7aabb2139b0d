import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BridgeServerFrame, EngineSnapshot } from '../src/shared/contract';
import { defaultParams } from '../src/shared/params';
import type { EngineHost } from '../src/main/host/engineHost';
import { harness } from './helpers/engineHarness';
import { CLOSE_TOO_MANY, CLOSE_UNAUTHORIZED, MAX_VIEWERS, startHeadlessServer, type HeadlessServer } from '../src/main/headless/server';
import { memoryLog } from './helpers/quietLog';

let server: HeadlessServer;
let host: EngineHost;
let base: string;

beforeEach(async () => {
  const rendererDir = mkdtempSync(join(tmpdir(), 'lx-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>LX</title>');
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'lx-secret.txt'), 'outside');
  // A manual clock that nobody advances: snapshots go out only on commands and joins.
  host = harness().host;
  server = await startHeadlessServer({ host, rendererDir, bindHost: '127.0.0.1', port: 0, log: memoryLog() });
  base = `http://127.0.0.1:${server.port}`;
});

afterEach(async () => {
  await server.close();
  await host.stop();
});

/** Opens a bridge connection as the page does (the token as the first frame) and collects frames. */
function connect(token: string | null = server.token, headers: Record<string, string> = {}) {
  const frames: BridgeServerFrame[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  if (token !== null) ws.on('open', () => ws.send(JSON.stringify({ kind: 'auth', token })));
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as BridgeServerFrame);
    waiters.splice(0).forEach((wake) => wake());
  });
  const next = <T extends BridgeServerFrame>(match: (frame: BridgeServerFrame) => frame is T): Promise<T> =>
    new Promise((resolve) => {
      const check = () => {
        const found = frames.find(match);
        if (found) resolve(found);
        else waiters.push(check);
      };
      check();
    });
  return { ws, frames, next, closed };
}

const isSnapshot = (frame: BridgeServerFrame): frame is { kind: 'snapshot'; snapshot: EngineSnapshot } => frame.kind === 'snapshot';
const resultFor =
  (id: number) =>
  (frame: BridgeServerFrame): frame is Extract<BridgeServerFrame, { kind: 'result' }> =>
    frame.kind === 'result' && frame.id === id;

function upgradeStatus(headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
    ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => undefined);
  });
}

describe('headless server', () => {
  it('serves the static console to anyone (it holds no secret) and never sets a cookie', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>LX</title>');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    // Cookies go to every port of 127.0.0.1: the token is never in one.
    expect(page.headers.get('set-cookie')).toBeNull();
    const asset = await fetch(`${base}/assets/app.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`);
  });

  it('never serves a file outside the renderer folder; a malformed percent-encoding is a 400', async () => {
    expect((await fetch(`${base}/..%2flx-secret.txt`)).status).toBe(404);
    expect((await fetch(`${base}/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });

  it('refuses a WebSocket from another origin; without the right token first, a socket gets nothing and is closed', async () => {
    expect(await upgradeStatus({ Origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus({ Origin: `http://127.0.0.1:${server.port}` })).toBe(101);
    const wrong = connect('nope-nope-nope-nope-nope-nope-nope-nope');
    expect(await wrong.closed).toBe(CLOSE_UNAUTHORIZED);
    expect(wrong.frames).toEqual([]);
    // A command as the first frame is not a token: nothing runs.
    const commandFirst = connect(null);
    commandFirst.ws.on('open', () => commandFirst.ws.send(JSON.stringify({ kind: 'command', id: 1, command: { type: 'arm' } })));
    expect(await commandFirst.closed).toBe(CLOSE_UNAUTHORIZED);
    expect(commandFirst.frames).toEqual([]);
    expect(host.viewerCount()).toBe(0);
  });

  it('refuses a weak chosen token', async () => {
    const rendererDir = mkdtempSync(join(tmpdir(), 'lx-renderer-'));
    await expect(startHeadlessServer({ host, rendererDir, bindHost: '127.0.0.1', port: 0, log: memoryLog(), token: 'a' })).rejects.toThrow(
      /32 to 256 URL-safe characters .*got 1 character/
    );
  });

  it('streams the snapshot first, runs commands and returns typed errors for bad ones', async () => {
    const client = connect();
    const first = await client.next(isSnapshot);
    expect(client.frames[0]).toBe(first);
    expect(first.snapshot.safety.armed).toBe(false);

    client.ws.send(JSON.stringify({ kind: 'command', id: 1, command: { type: 'setParams', params: { orderValue: '-5' } } }));
    const bad = await client.next(resultFor(1));
    expect(bad.result.ok).toBe(false);
    if (!bad.result.ok) {
      expect(bad.result.error.code).toBe('INVALID_COMMAND');
      expect(bad.result.error.field).toBe('params.orderValue');
      expect(bad.result.error.value).toBe('"-5"');
    }

    client.ws.send('not json');
    const garbage = await client.next(resultFor(-1));
    expect(garbage.result.ok).toBe(false);

    client.ws.send(JSON.stringify({ kind: 'command', id: 2, command: { type: 'arm' } }));
    expect((await client.next(resultFor(2))).result.ok).toBe(true);
    const armed = await client.next((frame): frame is { kind: 'snapshot'; snapshot: EngineSnapshot } => isSnapshot(frame) && frame.snapshot.safety.armed);
    // The refused command changed nothing.
    expect(armed.snapshot.params.orderValue).toBe(defaultParams().orderValue);
    client.ws.close();
  });
});

describe('headless server: exposure and floods', () => {
  it('refuses to bind a non-loopback address unless told to, and says to use an SSH tunnel', async () => {
    const rendererDir = mkdtempSync(join(tmpdir(), 'lx-renderer-'));
    await expect(startHeadlessServer({ host, rendererDir, bindHost: '0.0.0.0', port: 0, log: memoryLog() })).rejects.toThrow(/SSH tunnel/);
  });

  it('a flood spread over many connections is limited in all; a kill in the middle of it still runs', async () => {
    const clients = Array.from({ length: 6 }, () => connect());
    await Promise.all(clients.map((client) => client.next(isSnapshot)));
    for (const client of clients)
      for (let id = 1; id <= 40; id++) client.ws.send(JSON.stringify({ kind: 'command', id, command: { type: 'ackAlarm', id: 'none#0' } }));
    const killer = clients[0]!;
    killer.ws.send(JSON.stringify({ kind: 'command', id: 99, command: { type: 'kill' } }));
    const kill = await killer.next(resultFor(99));
    expect(kill.result.ok).toBe(true);
    await Promise.all(clients.map((client) => client.next(resultFor(40))));
    const ran = clients
      .flatMap((client) => client.frames)
      .filter((frame) => frame.kind === 'result' && !frame.result.ok && frame.result.error.message.includes('no active alarm'));
    // 240 sent: the host-wide burst (100) and its refill run, the rest are refused.
    expect(ran.length).toBeLessThanOrEqual(110);
    expect(ran.length).toBeGreaterThan(0);
    for (const client of clients) client.ws.close();
  });

  it(`at most ${MAX_VIEWERS} consoles at once: the next is closed with a reason`, async () => {
    const clients = Array.from({ length: MAX_VIEWERS }, () => connect());
    await Promise.all(clients.map((client) => client.next(isSnapshot)));
    const extra = connect();
    expect(await extra.closed).toBe(CLOSE_TOO_MANY);
    expect(host.viewerCount()).toBe(MAX_VIEWERS);
    clients[0]!.ws.close();
    await clients[0]!.closed;
    const again = connect();
    await again.next(isSnapshot);
    for (const client of [...clients, again]) client.ws.close();
  });

  it('answers a command flood with refusals instead of running it', async () => {
    const client = connect();
    await client.next(isSnapshot);
    for (let id = 1; id <= 200; id++) client.ws.send(JSON.stringify({ kind: 'command', id, command: { type: 'ackAlarm', id: 'none#0' } }));
    const last = await client.next(resultFor(200));
    expect(last.result.ok).toBe(false);
    if (!last.result.ok) expect(last.result.error.message).toContain('too many commands');
    const ran = client.frames.filter((frame) => frame.kind === 'result' && !frame.result.ok && frame.result.error.message.includes('no active alarm'));
    expect(ran.length).toBeLessThanOrEqual(45);
    client.ws.close();
  });
});
