import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import Decimal from 'decimal.js';
import { expect, test } from '@playwright/test';

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

test('bad arguments stop the host with a clear message', async () => {
  await expect(runHeadless(['--duration', 'soon'], {})).rejects.toThrow(/--duration: expected whole seconds/);
  await expect(runHeadless(['--arm'], {})).rejects.toThrow(/--arm: only with --duration/);
});

test('--help describes every option and how --demo relates to NETWORK; no ExperimentalWarning at start', async () => {
  const { code, out, err } = await runHeadlessRaw(['--help'], {});
  expect(code).toBe(0);
  for (const option of ['--demo', '--dotenv', '--data-dir', '--host', '--allow-remote', '--port', '--token', '--duration', '--arm', '--help']) {
    expect(out, option).toContain(`  ${option}`);
  }
  expect(out).toContain('NETWORK=demo');
  expect(out).toMatch(/paper.*testnet.*mainnet/s);
  // node:sqlite is loaded by then (the journal is in the bundle): its warning is not printed.
  expect(err).not.toContain('ExperimentalWarning');
  expect(err).toBe('');
});
