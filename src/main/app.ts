/**
 * Builds the engine host from a validated config. Shared by the Electron shell and the headless
 * host, and free of Electron itself.
 */
import type { AppConfig } from './config/config';
import { systemClock, type Clock } from './engine/clock';
import { HeartbeatEngine } from './engine/heartbeatEngine';
import { EngineHost } from './host/engineHost';
import { createMainLog, type Logger } from './log/mainLog';

export interface App {
  config: AppConfig;
  host: EngineHost;
  log: Logger;
}

export function createApp(config: AppConfig, options: { clock?: Clock; consoleLog?: boolean } = {}): App {
  const clock = options.clock ?? systemClock;
  const log = createMainLog(config.logDir, config.logLevel, { console: options.consoleLog });
  const engine = new HeartbeatEngine(clock, config.mode, config.params);
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
  return { config, host, log };
}
