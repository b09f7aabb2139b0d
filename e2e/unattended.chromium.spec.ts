import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import Decimal from 'decimal.js';
import { expect, test } from '@playwright/test';
import { startHeadlessHost } from './headlessHost';

/** Runs the built headless host to its end: its exit code and what it printed. */
function runHeadlessRaw(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'out/main/headless.js'), '--dotenv', '/nonexistent/.env', ...args], {
      env: { ...process.env, HEADLESS_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** Runs the built headless host unattended and returns its last stdout line, parsed. */
async function runHeadless(args: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  const { code, out, err } = await runHeadlessRaw(args, env);
  if (code !== 0) throw new Error(`exit ${code}: ${err}`);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
}

test('an unattended armed demo run ends hedged and reports one JSON line', async () => {
  test.setTimeout(60_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'lx-unattended-'));
  const summary = await runHeadless(['--demo', '--arm', '--duration', '8', '--data-dir', dataDir], {
    DEMO_SEED: '4',
    DEMO_SPEED: '5',
    MIN_SPREAD: '0.01',
    LOG_LEVEL: 'warn'
  });
  expect(summary).toMatchObject({ mode: 'DEMO', startupOk: true, hedgeFailures: 0, alarms: 0 });
  for (const key of ['bookUpdates', 'decisions', 'ordersSent', 'makerFills', 'hedges', 'fills']) expect(summary[key], key).toBeGreaterThan(0);
  const threshold = new Decimal(summary.minHedgeQty as string);
  for (const key of ['unhedgedL', 'unhedgedE', 'maxSettledNet']) expect(new Decimal(summary[key] as string).abs().lt(threshold), key).toBe(true);
  expect(
    new Decimal(summary.invL as string)
      .plus(summary.invE as string)
      .abs()
      .lt(threshold)
  ).toBe(true);
  // Every fill is in the journal, once.
  const journal = join(dataDir, 'journal.sqlite');
  expect(existsSync(journal)).toBe(true);
  const db = new DatabaseSync(journal, { readOnly: true });
  expect((db.prepare('SELECT COUNT(*) AS n FROM fills').get() as { n: number }).n).toBe(summary.fills);
  // The demo's Lighter is a Standard account: a hedge there waits for the venue's 300 ms taker delay.
  const lighterHedges = db.prepare("SELECT latency_ms AS ms FROM hedges WHERE venue = 'L' AND error IS NULL").all() as Array<{ ms: number }>;
  for (const hedge of lighterHedges) expect(hedge.ms).toBeGreaterThanOrEqual(300);
  db.close();
  for (const log of ['main.log', 'maker.log', 'hedge.log', 'spread.log', 'realtime.log']) expect(existsSync(join(dataDir, 'logs', log)), log).toBe(true);
});

test('a second engine on the same data folder refuses to start, naming the first; a weak token is refused', async () => {
  test.setTimeout(60_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'lx-twice-'));
  const first = await startHeadlessHost({ NETWORK: 'demo', LOG_LEVEL: 'warn' }, { dataDir });
  try {
    const second = await runHeadlessRaw(['--demo', '--data-dir', dataDir], {});
    expect(second.code).toBe(1);
    expect(second.err).toContain(`data folder ${dataDir} is in use by another engine (pid`);
    // The token file and the journal are this user's only.
    expect(statSync(join(dataDir, 'headless-token')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'journal.sqlite')).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  } finally {
    await first.stop();
  }
  const weak = await runHeadlessRaw(['--demo', '--data-dir', dataDir], { LX_CONSOLE_TOKEN: 'a' });
  expect(weak.code).toBe(1);
  expect(weak.err).toContain('LX_CONSOLE_TOKEN: a console token needs 32 to 256 URL-safe characters');
  // Never on the command line, where every local user reads it.
  const argv = await runHeadlessRaw(['--demo', '--token', 'x'.repeat(40)], {});
  expect(argv.code).toBe(1);
  expect(argv.err).toContain("Unknown option '--token'");
});

test('npm run preflight -- --help describes its options', async () => {
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'out/main/preflight.js'), '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('exit', (exitCode) => resolve({ code: exitCode, out: text }));
  });
  expect(code).toBe(0);
  for (const option of ['--dotenv', '--json', '--help']) expect(out).toContain(`  ${option}`);
  expect(out).toContain('Sends no order');
});

test('bad arguments stop the host with a clear message', async () => {
  await expect(runHeadless(['--duration', 'soon'], {})).rejects.toThrow(/--duration: expected whole seconds/);
  await expect(runHeadless(['--arm'], {})).rejects.toThrow(/--arm: only with --duration/);
});

test('--help describes every option and how --demo relates to NETWORK; no ExperimentalWarning at start', async () => {
  const { code, out, err } = await runHeadlessRaw(['--help'], {});
  expect(code).toBe(0);
  for (const option of ['--demo', '--dotenv', '--data-dir', '--host', '--allow-remote', '--port', '--token-file', '--duration', '--arm', '--help']) {
    expect(out, option).toContain(`  ${option}`);
  }
  expect(out).toContain('NETWORK=demo');
  expect(out).toMatch(/paper.*testnet.*mainnet/s);
  // node:sqlite is loaded by then (the journal is in the bundle): its warning is not printed.
  expect(err).not.toContain('ExperimentalWarning');
  expect(err).toBe('');
});
