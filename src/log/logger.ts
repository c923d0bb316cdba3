import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/**
 * Field paths that are censored wherever they appear. Code never passes secrets to the
 * logger on purpose; this is the second line of defence.
 */
export const REDACTED_PATHS = [
  'password',
  'newPassword',
  'confirmPassword',
  'verificationCode',
  'token',
  'secret',
  '*.password',
  '*.newPassword',
  '*.confirmPassword',
  '*.verificationCode',
  '*.token',
  '*.secret',
  'fields',
  '*.fields',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
];

export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      name: options.name ?? 'sspr-bot',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
