/** The fields of a Bot Connector or botbuilder error that are safe to log. */
export interface SafeError {
  readonly name: string;
  readonly message: string;
  readonly statusCode?: number;
  readonly code?: string;
  readonly stack?: string;
}

/**
 * Reduces an error to its name, message, stack, HTTP status and code. botbuilder's RestError
 * carries the outgoing request, whose Authorization header contains the bot's access token,
 * so the whole error object never goes to the log.
 */
export function safeError(error: unknown): SafeError {
  if (!(error instanceof Error)) return { name: 'unknown', message: String(error).slice(0, 300) };
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  return {
    name: error.name,
    message: error.message.slice(0, 300),
    ...(typeof statusCode === 'number' ? { statusCode } : {}),
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.stack !== undefined ? { stack: error.stack } : {}),
  };
}
