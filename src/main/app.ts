/**
 * Builds the engine host from a validated config. Shared by the Electron shell and the headless
 * host, and free of Electron itself.
 */
import { join } from 'node:path';
import type { AppConfig } from './config/config';
import { systemClock, type Clock } from './engine/clock';
import { toFees } from './engine/params';
import { StrategyEngine } from './engine/strategyEngine';
import { noNotifier, TelegramNotifier } from './engine/telegram';
import { EngineHost } from './host/engineHost';
import { SqliteJournal } from './journal/sqliteJournal';
import { createMainLog, type Logger } from './log/mainLog';
import { FileStrategyLogs } from './log/strategyLogs';
import { buildVenues, type BuiltVenues } from './venues/build';

export interface App {
  config: AppConfig;
  host: EngineHost;
  engine: StrategyEngine;
  venues: BuiltVenues;
  log: Logger;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createApp(config: AppConfig, options: { clock?: Clock; consoleLog?: boolean } = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const log = createMainLog(config.logDir, config.logLevel, { console: options.consoleLog });
  const venues = await buildVenues(config, clock);
  const notifier =
    config.telegram.botToken && config.telegram.chatId
      ? new TelegramNotifier({ apiUrl: config.telegram.apiUrl, botToken: config.telegram.botToken, chatId: config.telegram.chatId })
      : noNotifier;
  const engine = new StrategyEngine({
    clock,
    mode: config.mode,
    params: config.params,
    fees: toFees(config.fees),
    venues: venues.venues,
    logs: new FileStrategyLogs({ dir: config.logDir }),
    journal: new SqliteJournal(join(config.dataDir, 'journal.sqlite')),
    notifier,
    seedUnhedgedOn: config.seedUnhedgedOn
  });
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
      await host.stop();
      await venues.stop();
    }
  };
}
