/**
 * Soak (`npm run soak -- --minutes N`, not part of the tests): the whole bot on the emulators at
 * 10x speed, armed, with a random fault every few seconds. The invariants are checked all along;
 * heap and RSS are sampled; log files and the journal must stay within bounds. The last line
 * printed is one JSON summary; the exit code is 1 when an invariant broke.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import Decimal from 'decimal.js';
import { createApp } from '../src/main/app';
import { loadConfig } from '../src/main/config/config';
import { seededRandom } from '../src/main/kernel/random';
import type { FaultSettings } from '../src/main/emulator/faults';
import { startHeadlessServer } from '../src/main/headless/server';

const FAULTS: Array<{
  name: string;
  patch?: Partial<FaultSettings>;
  clear?: Partial<FaultSettings>;
  drop?: 'book' | 'account' | 'all';
  flood?: 'commands' | 'junk' | 'viewers' | 'kills';
}> = [
  { name: 'drop book', drop: 'book' },
  { name: 'drop account', drop: 'account' },
  { name: 'sequence gap', patch: { skipSequence: 2 } },
  { name: 'duplicate fills', patch: { duplicateFills: true }, clear: { duplicateFills: false } },
  { name: 'reordered fills', patch: { reorderFills: true }, clear: { reorderFills: false } },
  { name: 'rejects', patch: { rejectOrders: 3 } },
  { name: '429', patch: { rateLimit: 3 } },
  { name: 'stale feed', patch: { staleFeed: true }, clear: { staleFeed: false } },
  { name: 'delayed messages', patch: { delayMs: 150 }, clear: { delayMs: 0 } },
  { name: 'fill during cancel', patch: { fillDuringCancel: true }, clear: { fillDuringCancel: false } },
  { name: 'slow REST', patch: { slowRestMs: 300 }, clear: { slowRestMs: 0 } },
  // Venue truth: outcomes only the venue's record settles.
  { name: 'lost acks', patch: { lostAcks: 2 } },
  { name: 'acks delayed past the timeout', patch: { ackDelayMs: 11_000 }, clear: { ackDelayMs: 0 } },
  { name: 'account down, fills via REST', patch: { accountDownMs: 2500 }, drop: 'account' },
  { name: 'orders of an earlier run', patch: { earlierRunOrders: 2 } },
  { name: 'REST record lags the stream', patch: { restRecordDelayMs: 2000 }, clear: { restRecordDelayMs: 0 } },
  { name: 'final frames without filledQty', patch: { finalWithoutFilledQty: true }, clear: { finalWithoutFilledQty: false } },
  { name: 'a TP/SL order of the web app', patch: { tpslOrder: true } },
  { name: 'POSITION frames of another market', patch: { foreignPositions: true }, clear: { foreignPositions: false } },
  { name: 'DELTA without c', patch: { deltaWithoutC: true }, clear: { deltaWithoutC: false } },
  { name: 'ids as JSON strings', patch: { idsAsStrings: true }, clear: { idsAsStrings: false } },
  { name: 'HTTP 200 with status ERROR', patch: { ok200Errors: 3 } },
  { name: 'HTML error pages', patch: { htmlErrors: 3 } },
  { name: 'cancel of a gone order refused', patch: { cancelGoneAsRejection: true }, clear: { cancelGoneAsRejection: false } },
  { name: 'id-less tx errors', patch: { idlessTxErrors: true, rejectOrders: 2 }, clear: { idlessTxErrors: false } },
  { name: 'invalid nonce as 400', patch: { nonceErrorAs400: true }, clear: { nonceErrorAs400: false } },
  { name: 'flat update lists', patch: { flatLists: true }, clear: { flatLists: false } },
  { name: 'a trade of another market', patch: { foreignTrade: true } },
  { name: 'repeated public trades', patch: { repeatPublicTrades: true }, clear: { repeatPublicTrades: false } },
  { name: 'second cancel-all refused', patch: { refuseSecondCancelAll: true }, clear: { refuseSecondCancelAll: false } },
  { name: 'subscriptions refused', patch: { refuseSubscriptions: 2 }, drop: 'account' },
  // Engine edges: timings a Standard account produces, forged frames, a held Ctrl+K.
  { name: 'IOC executing 4 s after it was sent', patch: { takerDelayMs: 4000 }, clear: { takerDelayMs: 0 } },
  { name: 'part-fill after a lost answer', patch: { lostAcks: 1, takerPartial: 1 } },
  { name: 'fill frame beyond its order size', patch: { overfill: 1 } },
  { name: 'kill flood during a fill', patch: { fillDuringCancel: true }, clear: { fillDuringCancel: false }, flood: 'kills' },
  // Survival: floods from a console, a venue (or a broken proxy), and viewers that never read.
  { name: 'command flood', flood: 'commands' },
  { name: 'junk frames', flood: 'junk' },
  { name: 'slow viewers', flood: 'viewers' }
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function sizeOf(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isFile()) out[name] = statSync(path).size;
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '2' }, seed: { type: 'string', default: '1' } }, strict: true });
  const minutes = Number(values.minutes);
  if (!(minutes > 0 && minutes <= 24 * 60)) throw new TypeError(`--minutes: expected a number of minutes, got ${JSON.stringify(values.minutes)}`);
  const random = seededRandom(Number(values.seed));
  const dataDir = mkdtempSync(join(tmpdir(), 'lx-soak-'));
  const config = loadConfig({ env: { NETWORK: 'demo', DATA_DIR: dataDir, DEMO_SEED: values.seed, DEMO_SPEED: '10', MIN_SPREAD: '0.01', LOG_LEVEL: 'warn' } });
  const app = await createApp(config, { consoleLog: false });
  const emulators = app.venues.emulators;
  if (!emulators) throw new Error('the soak needs the demo emulators');
  await app.start();
  const started = Date.now();
  while (!app.engine.state.hedgeSeeded) await sleep(50);
  await app.host.command({ type: 'arm' });

  const engine = app.engine;
  const violations: string[] = [];
  // The console's bridge, attacked by floods during the run.
  const renderer = join(dataDir, 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>soak</title>');
  const server = await startHeadlessServer({ host: app.host, rendererDir: renderer, bindHost: '127.0.0.1', port: 0, log: app.log });
  const bridgeUrl = `ws://127.0.0.1:${server.port}/ws?token=${server.token}`;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const floodStats = { commandsSent: 0, commandsRefused: 0, junkFrames: 0, slowViewers: 0, kills: 0 };
  let flooding: (() => void) | null = null;
  /** Starts a flood; returns how to stop it. */
  const startFlood = (kind: 'commands' | 'junk' | 'viewers' | 'kills', venue: 'L' | 'E'): (() => void) => {
    if (kind === 'kills') {
      // A held Ctrl+K: 30 kills a second (key repeat) for 3 s.
      let sent = 0;
      const timer = setInterval(() => {
        if (sent++ >= 90) return clearInterval(timer);
        floodStats.kills += 1;
        void app.host.command({ type: 'kill' });
      }, 33);
      return () => clearInterval(timer);
    }
    if (kind === 'junk') {
      const timer = setInterval(() => {
        emulators.faults[venue].junk(2500);
        floodStats.junkFrames += 2500;
      }, 100);
      return () => clearInterval(timer);
    }
    if (kind === 'viewers') {
      // Viewers whose sockets never read: what they are sent piles up in the server's buffers.
      const viewers = Array.from({ length: 20 }, () => new WebSocket(bridgeUrl));
      for (const viewer of viewers) {
        viewer.on('open', () => (viewer as unknown as { _socket: { pause(): void } })._socket.pause());
        viewer.on('error', () => undefined);
      }
      floodStats.slowViewers += viewers.length;
      return () => viewers.forEach((viewer) => viewer.terminate());
    }
    const client = new WebSocket(bridgeUrl);
    client.on('error', () => undefined);
    client.on('message', (data) => {
      if (String(data).includes('too many commands')) floodStats.commandsRefused += 1;
    });
    let id = 0;
    const timer = setInterval(() => {
      if (client.readyState !== client.OPEN) return;
      for (let i = 0; i < 500; i++) {
        client.send(JSON.stringify({ kind: 'command', id: ++id, command: { type: 'setParams', params: { orderValue: '100' } } }));
        floodStats.commandsSent += 1;
      }
    }, 100);
    return () => {
      clearInterval(timer);
      client.terminate();
    };
  };
  const faultsInjected: Record<string, number> = {};
  const samples: Array<{ t: number; heapMB: number; rssMB: number }> = [];
  let exposedSince: number | null = null;
  let worstNet = new Decimal(0);
  let nextFaultAt = Date.now() + 3000;
  let activeClear: (() => void) | null = null;
  let nextSampleAt = 0;
  const end = started + minutes * 60_000;

  while (Date.now() < end) {
    const now = Date.now();
    // Net exposure must come back under minHedgeQty: a breach longer than 5 s (faults included) is a violation.
    const threshold = engine.state.minHedgeQty ?? new Decimal(0);
    const net = engine.state.inv.L.plus(engine.state.inv.E).abs();
    if ((engine.hedger?.idle() ?? true) && net.gt(worstNet)) worstNet = net;
    if (net.gte(threshold)) {
      exposedSince ??= now;
      if (now - exposedSince > 5000) {
        violations.push(`${new Date(now).toISOString()} net ${net} >= minHedgeQty ${threshold} for more than 5 s`);
        exposedSince = now;
      }
    } else exposedSince = null;
    // Re-arm after an alarm disarmed the bot (a trader would, once the cause is gone).
    if (!engine.state.armed && !activeClear) await app.host.command({ type: 'arm' });
    if (now >= nextFaultAt) {
      if (activeClear) {
        activeClear();
        activeClear = null;
        nextFaultAt = now + 2000 + random() * 3000;
      } else {
        const fault = FAULTS[Math.floor(random() * FAULTS.length)] as (typeof FAULTS)[number];
        const venue = random() < 0.5 ? 'L' : 'E';
        faultsInjected[fault.name] = (faultsInjected[fault.name] ?? 0) + 1;
        if (fault.patch) emulators.faults[venue].set(fault.patch);
        if (fault.drop) emulators.faults[venue].drop(fault.drop);
        if (fault.flood) flooding = startFlood(fault.flood, venue);
        activeClear = () => {
          if (fault.clear) emulators.faults[venue].set(fault.clear);
          flooding?.();
          flooding = null;
        };
        nextFaultAt = now + 1000 + random() * 2000;
      }
    }
    if (now >= nextSampleAt) {
      const memory = process.memoryUsage();
      samples.push({ t: now - started, heapMB: Math.round(memory.heapUsed / 1e5) / 10, rssMB: Math.round(memory.rss / 1e5) / 10 });
      nextSampleAt = now + 5000;
    }
    await sleep(250);
  }
  activeClear?.();
  lag.disable();
  const lagMs = { p50: Math.round(lag.percentile(50) / 1e4) / 100, p99: Math.round(lag.percentile(99) / 1e4) / 100, max: Math.round(lag.max / 1e4) / 100 };
  if (lagMs.p99 > 100) violations.push(`event-loop lag p99 ${lagMs.p99} ms over 100 ms`);
  await server.close();
  const kill = await app.host.command({ type: 'kill' });
  if (!kill.ok) violations.push(`kill did not complete: ${kill.error.message}`);
  const resting = emulators.market.exchanges.L.orders.size + emulators.market.exchanges.E.orders.size;
  if (resting > 0) violations.push(`${resting} order(s) of ours resting after the kill completed`);
  for (let i = 0; i < 100 && !(engine.hedger?.idle() ?? true); i++) await sleep(100);
  // Orders of unknown outcome settle from the venues' record (look-ups every second, 3 s grace).
  for (let i = 0; i < 200 && engine.registry.unsettled().some((order) => order.purpose !== 'maker'); i++) await sleep(100);
  await sleep(1000);
  await engine.hedger?.settled();
  const unsettled = engine.registry.unsettled().filter((order) => order.purpose !== 'maker' && order.purpose !== 'adopted');
  if (unsettled.length > 0)
    violations.push(`${unsettled.length} order(s) still unsettled: ${unsettled.map((o) => `${o.venue} ${o.purpose} ${o.clientId} ${o.state}`).join(', ')}`);
  const gap = engine.exposure.gap();
  if (!gap.isZero()) violations.push(`unhedged_L + unhedged_E differs from net - legs in flight by ${gap}`);
  if (engine.exposure.leaks > 0) violations.push(`${engine.exposure.leaks} exposure leak(s) found during the run`);
  await engine.reconciler.reconcile('soak end');
  const venueTruth = {
    lookups: engine.reconciler.stats.lookups,
    corrections: engine.reconciler.stats.corrections,
    straysCancelled: engine.reconciler.stats.straysCancelled,
    sweeps: engine.reconciler.stats.sweeps,
    leaks: engine.exposure.leaks
  };
  if (venueTruth.corrections > 0) violations.push(`${venueTruth.corrections} position correction(s) by reconciliation`);

  const venueTrades = emulators.market.exchanges.L.record.trades.length + emulators.market.exchanges.E.record.trades.length;
  const stats = {
    fills: engine.counters.fills,
    makerFills: engine.counters.makerFills,
    hedges: engine.hedger?.hedgesSent ?? 0,
    hedgeFailures: engine.hedger?.failures ?? 0,
    refusedFills: engine.counters.badFills,
    foreignActivity: engine.counters.foreignActivity + engine.counters.foreignFills,
    killsJoined: engine.reconciler.stats.sweepsJoined,
    killsSkipped: engine.reconciler.stats.sweepsSkipped
  };
  const inventoryMatches = engine.state.inv.L.eq(emulators.market.exchanges.L.position.qty) && engine.state.inv.E.eq(emulators.market.exchanges.E.position.qty);
  await app.stop();

  if (stats.fills !== venueTrades) violations.push(`fills counted ${stats.fills} != venue trades ${venueTrades}`);
  if (!inventoryMatches) violations.push('engine inventory differs from the venues');
  const finalNet = engine.state.inv.L.plus(engine.state.inv.E).abs();
  if (finalNet.gte(engine.state.minHedgeQty ?? 0)) violations.push(`final net ${finalNet} not hedged`);
  const logs = sizeOf(join(dataDir, 'logs'));
  const hedgeLines = readFileSync(join(dataDir, 'logs', 'hedge.log'), 'utf8')
    .split('\n')
    .filter(Boolean).length;
  if (hedgeLines > 1000) violations.push(`hedge.log has ${hedgeLines} lines (bound 1000)`);
  for (const [name, bytes] of Object.entries(logs)) if (bytes > 50 * 1024 * 1024) violations.push(`${name} is ${bytes} bytes (bound 50 MB)`);
  const rssMax = Math.max(...samples.map((sample) => sample.rssMB));
  if (rssMax > 1024) violations.push(`RSS reached ${rssMax} MB (bound 1 GB)`);
  const heapGrowthMB = samples.length > 2 ? Math.round(((samples.at(-1)?.heapMB ?? 0) - (samples[1]?.heapMB ?? 0)) * 10) / 10 : 0;

  const summary = {
    soak: true,
    minutes,
    seed: Number(values.seed),
    ok: violations.length === 0,
    violations: violations.slice(0, 20),
    ...stats,
    venueTrades,
    venueTruth,
    faultsInjected,
    floods: floodStats,
    eventLoopLagMs: lagMs,
    eventLoopLagAlarms: engine.counters.eventLoopLags,
    worstSettledNet: worstNet.toString(),
    heapMB: { first: samples[0]?.heapMB, last: samples.at(-1)?.heapMB, max: Math.max(...samples.map((s) => s.heapMB)), growthAfterWarmup: heapGrowthMB },
    rssMB: { first: samples[0]?.rssMB, last: samples.at(-1)?.rssMB, max: Math.max(...samples.map((s) => s.rssMB)) },
    logBytes: logs,
    journalBytes: statSync(join(dataDir, 'journal.sqlite')).size,
    hedgeLogLines: hedgeLines,
    dataDir
  };
  console.log(JSON.stringify(summary));
  process.exit(violations.length === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
