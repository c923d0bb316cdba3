import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../../src/log/logger.js';

/**
 * Bridges Bolt's and the Web API client's logger interface to pino. Bolt logs formatted
 * strings, so each line becomes one pino message under `component: 'slack'`. Bolt writes
 * raw payloads only in its developer mode, which this adapter never turns on.
 */
export function createBoltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: 'slack' });
  let level: LogLevel = toBoltLevel(log.level);
  const join = (parts: unknown[]) => parts.map(String).join(' ');
  return {
    debug: (...parts: unknown[]) => log.debug(join(parts)),
    info: (...parts: unknown[]) => log.info(join(parts)),
    warn: (...parts: unknown[]) => log.warn(join(parts)),
    error: (...parts: unknown[]) => log.error(join(parts)),
    // The pino level stays the one configured by LOG_LEVEL, so Bolt cannot raise it.
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function toBoltLevel(pinoLevel: string): LogLevel {
  if (pinoLevel === 'debug' || pinoLevel === 'trace') return LogLevel.DEBUG;
  if (pinoLevel === 'info') return LogLevel.INFO;
  if (pinoLevel === 'warn') return LogLevel.WARN;
  return LogLevel.ERROR;
}
