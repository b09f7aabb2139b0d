import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import WebSocket from 'ws';

export interface RunningHost {
  /** The URL printed at start: the console's token is in its fragment (`#token=`). */
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** The token in a console URL's fragment. */
export function tokenOf(url: string): string {
  return new URLSearchParams(new URL(url).hash.slice(1)).get('token') ?? '';
}

/**
 * Opens the console from its printed URL as a fresh load. The page takes the token off the address
 * bar, so going to the URL again from the console itself would only change the fragment (no load).
 */
export async function gotoConsole(page: Page, host: Pick<RunningHost, 'url' | 'origin'>): Promise<void> {
  if (page.url().startsWith(host.origin)) await page.goto('about:blank');
  await page.goto(host.url);
}

/** A bridge connection as the page makes it: the token is its first frame. */
export function openBridge(host: Pick<RunningHost, 'origin' | 'token'>): WebSocket {
  const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/ws`);
  ws.once('open', () => ws.send(JSON.stringify({ kind: 'auth', token: host.token })));
  return ws;
}

/**
 * Starts the built headless host (out/main/headless.js) on a free port with a fresh data folder
 * and resolves with the URL it prints. `npm test` builds before the end-to-end tests run.
 */
export async function startHeadlessHost(env: Record<string, string> = {}, options: { dataDir?: string } = {}): Promise<RunningHost> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lx-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, '..', 'out/main/headless.js'), '--dotenv', join(dataDir, 'none.env')], {
    env: { ...process.env, HEADLESS_PORT: '0', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /headless console \([A-Z]+\): (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`headless host exited with ${code}:\n${output}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    token: tokenOf(url),
    dataDir,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      })
  };
}
