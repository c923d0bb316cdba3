import { createLogger, type Logger } from '../../src/log/logger.js';

/** A logger that keeps every line it writes, parsed, for tests to assert on. */
export interface CapturedLog {
  readonly logger: Logger;
  /** Every line written so far, as parsed JSON. */
  readonly lines: Record<string, unknown>[];
  /** Every line written so far, as raw text. */
  readonly text: () => string;
}

export function captureLog(): CapturedLog {
  const raw: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    { level: 'debug', name: 'test' },
    {
      write: (line: string) => {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines, text: () => raw.join('') };
}
