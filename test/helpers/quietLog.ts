import type { Logger } from '../../src/main/log/mainLog';

/** A logger that keeps lines in memory, for assertions and quiet test output. */
export function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}
