/**
 * Renderer benchmark (`npm run bench:ui`, not a test): the console in Chromium against the
 * headless host running the demo with both books updating about 100 times a second per venue
 * (DEMO_SPEED=12: the updates per second actually seen are measured and printed), armed. Measures frame times with requestAnimationFrame and how many snapshots
 * reached the page. The last line printed is one JSON object.
 */
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { startHeadlessHost } from '../e2e/headlessHost';

const SECONDS = Number(process.env.BENCH_UI_SECONDS ?? 10);

async function main(): Promise<void> {
  if (!existsSync('out/main/headless.js')) throw new Error('build first: npm run build');
  const host = await startHeadlessHost({ DEMO_SEED: '3', DEMO_SPEED: process.env.BENCH_UI_SPEED ?? '12', MIN_SPREAD: '0.01', SPREAD_TP: '0.01' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run']
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(host.url);
    await page.getByTestId('startup').locator('li.step-done').nth(6).waitFor({ timeout: 20_000 });
    await page.getByTestId('arm-toggle').click();
    // A locator wait, not a string predicate: the page's CSP forbids eval.
    await page.getByTestId('armed-state').getByText('ARMED', { exact: true }).waitFor({ timeout: 10_000 });
    // The venues panel's msgs/s cell carries the venue's book message counter in its title.
    const bookMessages = async (venue: 'L' | 'E') => {
      const title = (await page.getByTestId(`health-${venue}`).locator('td').nth(3).getAttribute('title')) ?? '';
      const count = Number(/^(\d+) book messages$/.exec(title)?.[1]);
      if (!Number.isFinite(count)) throw new Error(`no book message counter in the venues panel: ${JSON.stringify(title)}`);
      return count;
    };
    const bookUpdates = async () => ({ L: await bookMessages('L'), E: await bookMessages('E') });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => {
      const { metrics: list } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
      return Object.fromEntries(list.map((m) => [m.name, m.value]));
    };
    const metricsBefore = await metrics();
    const updatesBefore = await bookUpdates();
    // Passed as text: the TypeScript runner's helpers do not exist inside the page.
    const result = (await page.evaluate(`(async (seconds) => {
      const frames = [];
      let snapshots = 0;
      const seqNode = document.querySelector('[data-testid="heartbeat"]');
      let lastSeq = seqNode ? seqNode.textContent : '';
      await new Promise((resolve) => {
        let last = performance.now();
        const end = last + seconds * 1000;
        const tick = (now) => {
          frames.push(now - last);
          last = now;
          const text = seqNode ? seqNode.textContent : '';
          if (text !== lastSeq) { snapshots += 1; lastSeq = text; }
          if (now < end) requestAnimationFrame(tick); else resolve();
        };
        requestAnimationFrame(tick);
      });
      return { frames, snapshots };
    })(${SECONDS})`)) as { frames: number[]; snapshots: number };
    const updatesAfter = await bookUpdates();
    const metricsAfter = await metrics();
    const busy = (name: string) => Math.round((((metricsAfter[name] ?? 0) - (metricsBefore[name] ?? 0)) / SECONDS) * 1000) / 10;
    const sorted = [...result.frames].sort((a, b) => a - b);
    const at = (q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number) * 100) / 100;
    const summary = {
      bench: 'ui',
      seconds: SECONDS,
      frames: sorted.length,
      fps: Math.round((sorted.length / SECONDS) * 10) / 10,
      frameMs: { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) },
      longFramesOver50ms: sorted.filter((ms) => ms > 50).length,
      /** Frames that missed the next vsync (over 20 ms: a 60 Hz frame is 16.7 ms, and rAF timestamps jitter by a fraction of a ms). */
      missedFramesPercent: Math.round((sorted.filter((ms) => ms > 20).length / Math.max(1, sorted.length)) * 1000) / 10,
      snapshotsRendered: result.snapshots,
      snapshotsPerSecond: Math.round((result.snapshots / SECONDS) * 10) / 10,
      bookUpdatesPerSecond: {
        L: Math.round(((updatesAfter.L - updatesBefore.L) / SECONDS) * 10) / 10,
        E: Math.round(((updatesAfter.E - updatesBefore.E) / SECONDS) * 10) / 10
      },
      /** Share of wall time the page's main thread spent on each kind of work (percent). */
      mainThreadPercent: { script: busy('ScriptDuration'), layout: busy('LayoutDuration'), style: busy('RecalcStyleDuration'), task: busy('TaskDuration') }
    };
    console.log(
      `frames: p50 ${summary.frameMs.p50} ms, p95 ${summary.frameMs.p95} ms, p99 ${summary.frameMs.p99} ms, ${summary.fps} fps, ${summary.missedFramesPercent}% of frames late; ${summary.snapshotsPerSecond} snapshots/s rendered while the books took ${summary.bookUpdatesPerSecond.L} (Lighter) and ${summary.bookUpdatesPerSecond.E} (Extended) updates/s`
    );
    console.log(JSON.stringify(summary));
  } finally {
    await browser.close();
    await host.stop();
  }
}

void main();
