import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import log from 'electron-log/node';
import type { LogLevel } from '../../shared/contract';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The application log (main.log) through electron-log. The engine never imports Electron, so the
 * Node flavour of electron-log serves both the Electron shell and the headless host.
 */
export function createMainLog(logDir: string, level: LogLevel, options: { console?: boolean } = {}): Logger {
  mkdirSync(logDir, { recursive: true });
  const logger = log.create({ logId: `lx-main-${logDir}` });
  logger.transports.file.resolvePathFn = () => join(logDir, 'main.log');
  logger.transports.file.level = level;
  logger.transports.file.maxSize = 20 * 1024 * 1024;
  logger.transports.console.level = options.console === false ? false : level;
  return {
    debug: (message) => logger.debug(message),
    info: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
    error: (message) => logger.error(message)
  };
}
