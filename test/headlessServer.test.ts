import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BridgeServerFrame, EngineSnapshot } from '../src/shared/contract';
import { defaultParams } from '../src/shared/params';
import type { EngineHost } from '../src/main/host/engineHost';
import { harness } from './helpers/engineHarness';
import { startHeadlessServer, type HeadlessServer } from '../src/main/headless/server';
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

/** Opens a bridge connection and collects frames; resolves once the first snapshot arrived. */
function connect(query: string, headers: Record<string, string> = {}) {
  const frames: BridgeServerFrame[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers });
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
  return { ws, frames, next };
}

const isSnapshot = (frame: BridgeServerFrame): frame is { kind: 'snapshot'; snapshot: EngineSnapshot } => frame.kind === 'snapshot';
const resultFor =
  (id: number) =>
  (frame: BridgeServerFrame): frame is Extract<BridgeServerFrame, { kind: 'result' }> =>
    frame.kind === 'result' && frame.id === id;

function upgradeStatus(query: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers });
    ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => undefined);
  });
}

describe('headless server', () => {
  it('refuses HTTP requests without the token', async () => {
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/?token=${server.token}x`)).status).toBe(401);
  });

  it('serves the console with the token and sets a strict cookie for its assets', async () => {
    const page = await fetch(`${base}/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>LX</title>');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const cookie = page.headers.get('set-cookie') ?? '';
    // One cookie per console: its name carries the port (cookies are shared by every port of a host).
    expect(cookie.startsWith(`lx_token_${server.port}=`)).toBe(true);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const asset = await fetch(`${base}/assets/app.js`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
  });

  it('never serves a file outside the renderer folder', async () => {
    const response = await fetch(`${base}/..%2flx-secret.txt?token=${server.token}`);
    expect(response.status).toBe(404);
  });

  it('refuses a WebSocket upgrade without the token or from another origin', async () => {
    expect(await upgradeStatus('')).toBe(401);
    expect(await upgradeStatus('?token=nope')).toBe(401);
    expect(await upgradeStatus(`?token=${server.token}`, { Origin: 'http://evil.example' })).toBe(401);
    expect(await upgradeStatus(`?token=${server.token}`, { Origin: `http://127.0.0.1:${server.port}` })).toBe(101);
  });

  it('streams the snapshot first, runs commands and returns typed errors for bad ones', async () => {
    const client = connect(`?token=${server.token}`);
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

  it('answers a command flood with refusals instead of running it', async () => {
    const client = connect(`?token=${server.token}`);
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
