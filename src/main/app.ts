/**
 * Builds the engine host from a validated config. Shared by the Electron shell and the headless
 * host, and free of Electron itself.
 */
import { lockDataDir, secureDataDir, type DataDirLock } from './config/dataDir';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Decimal from 'decimal.js';
import { join } from 'node:path';
import { paramsConflict, paramsPatchSchema, type StrategyParams } from '../shared/params';
import type { Command } from '../shared/contract';
import { ConfigError, type AppConfig } from './config/config';
import type { Emulators } from './emulator/emulators';
import { systemClock, type Clock } from './kernel/clock';
import { toFees } from './engine/params';
import { StrategyEngine } from './engine/strategyEngine';
import { noNotifier } from './ports/notifier';
import { TelegramNotifier } from './integrations/telegram';
import { EngineHost } from './host/engineHost';
import { SqliteJournal } from './journal/sqliteJournal';
import { createMainLog, type Logger } from './log/mainLog';
import { FileStrategyLogs } from './log/strategyLogs';
import { buildVenues, type BuiltVenues } from './wiring/venues';

export interface App {
  config: AppConfig;
  host: EngineHost;
  engine: StrategyEngine;
  venues: BuiltVenues;
  log: Logger;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Installs the process-wide nets of a process that runs this app (headless, Electron main): an
   * unhandled rejection or an uncaught exception is logged and alarmed, and trading goes on.
   */
  guardProcess(): void;
}

/**
 * Parameters the trader changed in the console are saved to DATA_DIR/params.json and win over
 * .env at the next start (the console is where they were last decided), except TT_ONLY, which
 * only the config decides (it changes the engine's layout; the console says to change it there).
 * Which source won, per field that differs, is returned for the start-up log.
 */
export function loadSavedParams(path: string, base: StrategyParams): { params: StrategyParams; notes: string[] } {
  if (!existsSync(path)) return { params: base, notes: [] };
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([`${path}: not valid JSON (${(error as Error).message}); fix or delete it`]);
  }
  const parsed = paramsPatchSchema.safeParse(saved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError([`${path}: ${issue?.path.join('.') || '(file)'}: ${issue?.message ?? 'invalid'}; fix or delete it`]);
  }
  const { ttOnly, ...fromFile } = parsed.data;
  const notes: string[] = [];
  if (ttOnly !== undefined && ttOnly !== base.ttOnly)
    notes.push(`ttOnly: the config's ${String(base.ttOnly)} wins (params.json's ${String(ttOnly)} is ignored: TT_ONLY is set in the config only)`);
  for (const key of RISK_CAPS) {
    const saved = fromFile[key];
    if (saved !== undefined && new Decimal(saved).gt(base[key])) {
      // The config's risk caps are a ceiling: a larger saved value (raised in the console once)
      // does not survive a restart; the trader raises it again, knowingly, or in the config.
      notes.push(`${key}: the config's ${base[key]} is a ceiling; params.json's larger ${saved} is not used (raise it in the console or the config)`);
      delete fromFile[key];
    }
  }
  for (const [key, value] of Object.entries(fromFile) as Array<[keyof StrategyParams, unknown]>) {
    if (value !== base[key]) notes.push(`${key}: params.json's ${JSON.stringify(value)} wins over the config's ${JSON.stringify(base[key])}`);
  }
  const params = { ...base, ...fromFile };
  const conflict = paramsConflict(params);
  if (conflict) throw new ConfigError([`${path} with the config: ${conflict.text}; fix or delete it`]);
  return { params, notes };
}

/** Parameters that bound the money at risk: the config's value is a ceiling over params.json. */
const RISK_CAPS = ['maxPositionValue', 'orderValue'] as const;

/** Writes params.json at most every 500 ms (a flood of parameter changes costs one write). */
function paramsSaver(path: string, onError: (message: string) => void): (params: StrategyParams) => void {
  let pending: StrategyParams | null = null;
  let timer: NodeJS.Timeout | null = null;
  return (params) => {
    pending = params;
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      const next = pending;
      pending = null;
      if (!next) return;
      try {
        writeFileSync(`${path}.tmp`, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
        renameSync(`${path}.tmp`, path);
      } catch (error) {
        onError(`could not save ${path}: ${(error as Error).message}`);
      }
    }, 500);
    timer.unref();
  };
}

/** The console's DEMO fault buttons, mapped onto the emulators' fault switches. */
function demoFaults(emulators: Emulators) {
  return (venue: 'L' | 'E', fault: Extract<Command, { type: 'demoFault' }>['fault']): string => {
    const faults = emulators.faults[venue];
    switch (fault) {
      case 'drop':
        faults.drop();
        return `${venue}: every connection dropped`;
      case 'stale':
        faults.set({ staleFeed: true });
        return `${venue}: book feed silent until resumed`;
      case 'resume':
        faults.set({ staleFeed: false, duplicateFills: false, rejectOrders: 0, rateLimit: 0 });
        return `${venue}: faults cleared`;
      case 'rejectOrders':
        faults.set({ rejectOrders: 3 });
        return `${venue}: the next 3 orders will be rejected`;
      case 'rateLimit':
        faults.set({ rateLimit: 5 });
        return `${venue}: the next 5 requests get 429`;
      case 'duplicateFills':
        faults.set({ duplicateFills: true });
        return `${venue}: fill messages sent twice until resumed`;
    }
  };
}

export async function createApp(config: AppConfig, options: { clock?: Clock; consoleLog?: boolean } = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  // This user's only, and one engine per folder: before anything is written into it.
  const dirNotes = secureDataDir(config.dataDir);
  const lock = lockDataDir(config.dataDir, clock.now());
  try {
    return await buildApp(config, clock, lock, dirNotes, options);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function buildApp(config: AppConfig, clock: Clock, lock: DataDirLock, dirNotes: string[], options: { consoleLog?: boolean }): Promise<App> {
  const log = createMainLog(config.logDir, config.logLevel, { console: options.consoleLog });
  for (const note of dirNotes) log.warn(`data folder permissions: ${note}`);
  const paramsFile = join(config.dataDir, 'params.json');
  const { params, notes: paramNotes } = loadSavedParams(paramsFile, config.params);
  for (const note of paramNotes) log.info(`parameters at start: ${note}`);
  const cappedNotes = paramNotes.filter((note) => note.includes('is a ceiling'));
  const venues = await buildVenues(config, clock);
  const notifier =
    config.telegram.botToken && config.telegram.chatId
      ? new TelegramNotifier({ apiUrl: config.telegram.apiUrl, botToken: config.telegram.botToken, chatId: config.telegram.chatId })
      : noNotifier;
  // The writers report to the engine, which is built with them.
  let engineRef: StrategyEngine | null = null;
  const engine = new StrategyEngine({
    clock,
    mode: config.mode,
    params,
    fees: toFees(config.fees),
    venues: venues.venues,
    logs: new FileStrategyLogs({ dir: config.logDir, onError: (message) => engineRef?.writerFailed('strategy logs', message, false) }),
    journal: new SqliteJournal(join(config.dataDir, 'journal.sqlite'), {
      retentionDays: config.journalRetentionDays,
      now: () => clock.now(),
      onError: (message, fillsAtRisk) => engineRef?.writerFailed('journal', message, fillsAtRisk)
    }),
    notifier,
    seedUnhedgedOn: config.seedUnhedgedOn,
    reconcileMs: config.reconcileMs,
    preflight: config.mode === 'TESTNET' || config.mode === 'MAINNET' ? () => venues.preflight(new Decimal(params.maxPositionValue)) : undefined,
    startupOpenOrders: config.startupOpenOrders,
    startupNotices: cappedNotes,
    bookLevels: 20,
    onParamsChanged: paramsSaver(paramsFile, (message) => engineRef?.writerFailed('params', message, false)),
    demoFault: venues.emulators ? demoFaults(venues.emulators) : undefined
  });
  engineRef = engine;
  const host = new EngineHost(engine, {
    clock,
    onViewerError: (error) => log.warn(`viewer dropped: ${String(error)}`)
  });
  // Engine log lines and alarms go to main.log as well as to the views.
  host.tapEvents((event) => {
    if (event.type === 'log') log[event.level](`[${event.source}] ${event.message}`);
    else if (event.type === 'alarm') log.error(`ALARM ${event.alarm.kind}: ${event.alarm.message}`);
    else if (event.type === 'command') log.info(`command ${event.command}: ${event.ok ? 'ok' : 'refused'}: ${event.message}`);
  });
  return {
    config,
    host,
    engine,
    venues,
    log,
    async start() {
      await host.start();
    },
    async stop() {
      try {
        await host.stop();
        await venues.stop();
      } finally {
        lock.release();
      }
    },
    guardProcess() {
      process.on('unhandledRejection', (reason) => engine.reportInternalError('unhandled rejection', reason));
      process.on('uncaughtException', (error) => engine.reportInternalError('uncaught exception', error));
    }
  };
}
