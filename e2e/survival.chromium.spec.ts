/**
 * No input kills the process (issue: "The engine survives bad input..."): each attack that killed
 * the armed headless host on the earlier main is sent to a real one, which must still serve
 * afterwards. Node-side only (no page): the browser project runs it after the build.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { expect, test } from '@playwright/test';
import { openBridge, startHeadlessHost, type RunningHost } from './headlessHost';

const DEMO = { NETWORK: 'demo', DEMO_SEED: '3', DEMO_SPEED: '5', LOG_LEVEL: 'warn' };

/** A raw HTTP request (paths `fetch` would normalise), answered with the status line. */
function rawRequest(origin: string, text: string): Promise<string> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
  });
}

/** The bridge answers a command: the host is alive and its engine responds. */
async function bridgeCommand(host: RunningHost, command: unknown, rawCommandText?: string): Promise<{ ok: boolean; error?: { message: string } }> {
  const ws = openBridge(host);
  try {
    return await new Promise((resolve, reject) => {
      ws.on('open', () =>
        ws.send(rawCommandText ? `{"kind":"command","id":7,"command":${rawCommandText}}` : JSON.stringify({ kind: 'command', id: 7, command }))
      );
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { kind: string; id?: number; result?: { ok: boolean; error?: { message: string } } };
        if (frame.kind === 'result' && frame.id === 7 && frame.result) resolve(frame.result);
      });
      ws.on('error', reject);
      setTimeout(() => reject(new Error('no result from the bridge within 10 s')), 10_000);
    });
  } finally {
    ws.close();
  }
}

async function stillServing(host: RunningHost) {
  const page = await fetch(host.url);
  expect(page.status).toBe(200);
  const result = await bridgeCommand(host, { type: 'ackAlarm', id: 'none#0' });
  expect(result.ok).toBe(false);
  expect(result.error?.message).toContain('no active alarm');
}

test.describe('the headless host survives what killed it', () => {
  let host: RunningHost;
  test.beforeEach(async () => {
    host = await startHeadlessHost(DEMO);
  });
  test.afterEach(async () => {
    await host.stop();
  });

  test('a WebSocket upgrade to // without a token, and GET //', async () => {
    const { port } = new URL(host.origin);
    const upgrade = await rawRequest(
      host.origin,
      `GET // HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`
    ).catch((error: Error) => error.message);
    expect(upgrade).not.toContain('101');
    expect(await rawRequest(host.origin, `GET // HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)).toContain('400');
    await stillServing(host);
  });

  test('an authenticated command of arrays nested 6,000 deep', async () => {
    // 12 KB of text; built as text, since stringifying it would overflow this test's own stack.
    const result = await bridgeCommand(host, null, `${'['.repeat(6000)}1${']'.repeat(6000)}`);
    expect(result.ok).toBe(false);
    await stillServing(host);
    expect(host.output()).not.toContain('RangeError');
  });

  test('another process holding a write lock on the journal for 2 s', async () => {
    // Armed, so that orders and decisions are being journaled while the lock is held.
    expect((await bridgeCommand(host, { type: 'arm' })).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const db = new DatabaseSync(join(host.dataDir, 'journal.sqlite'));
    db.exec('PRAGMA busy_timeout = 5000; BEGIN IMMEDIATE');
    db.exec("INSERT INTO decisions (at, action, reason) VALUES (0, 'NONE', 'lock holder')");
    // The engine keeps answering while the lock is held.
    const started = Date.now();
    await stillServing(host);
    expect(Date.now() - started).toBeLessThan(1500);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    db.exec('ROLLBACK');
    db.close();
    await stillServing(host);
    expect(host.output()).not.toContain('database is locked\n    at');
  });
});

test('kill -9 of the npm run headless wrapper stops the engine with it', async () => {
  test.setTimeout(60_000);
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dataDir = mkdtempSync(join(tmpdir(), 'lx-wrapper-'));
  const wrapper = spawn(process.execPath, [join(__dirname, '..', 'scripts/run-main.mjs'), 'headless', '--demo', '--dotenv', join(dataDir, 'none.env')], {
    env: { ...process.env, ...DEMO, HEADLESS_PORT: '0', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    wrapper.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /headless console \([A-Z]+\): (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    wrapper.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    wrapper.once('exit', (code) => reject(new Error(`wrapper exited with ${code}: ${output}`)));
  });
  expect((await fetch(url)).status).toBe(200);
  wrapper.kill('SIGKILL');
  // The engine notices the closed channel, cancels its quotes and exits: the port stops answering.
  const deadline = Date.now() + 15_000;
  let alive = true;
  while (alive && Date.now() < deadline) {
    alive = await fetch(url).then(
      () => true,
      () => false
    );
    if (alive) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(alive, 'the engine still serving after its wrapper died').toBe(false);
});
