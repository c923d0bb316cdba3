import {
  BusyError,
  ConfidentialityRequiredError,
  ConstraintViolationError,
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchObjectError,
  ResultCodeError,
  StrongAuthRequiredError,
  UnavailableError,
  UnwillingToPerformError,
} from 'ldapts';
import { AppError, type ErrorCode } from '../errors/catalog.js';

/**
 * Raised by the connection factory when ldapts tries to reconnect a pooled client on its
 * own. Nothing was sent on that connection, so the operation may be retried.
 */
export class ReconnectRefusedError extends Error {
  constructor() {
    super('connection dropped: a pooled client is not reconnected in place');
    this.name = 'ReconnectRefusedError';
  }
}

/** Node socket error codes that mean the server is down or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Messages that ldapts 9 uses for a dropped connection or a timed-out request. */
const CONNECTION_MESSAGES = [
  /^Connection timeout$/,
  /Operation timed out/,
  /Connection closed before message response was received/,
  /^Socket error\./,
  /Socket connection not established/,
];

/** OpenSSL verification codes as Node reports them in `error.code`. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|CERT_|HOSTNAME_)/;

/** AD's extended error for every password policy refusal (ERROR_PASSWORD_RESTRICTION). */
const PASSWORD_RESTRICTION = /\b0000052D\b/i;

/**
 * Server texts that name the reason. Samba 4.17 reports "already used (in history)" and
 * "password is too young to change". Windows AD reports policy refusals as 0000052D
 * without naming the reason, so there the result stays DIRECTORY_POLICY.
 */
const HISTORY_TEXT = /already used|in history|password history/i;
const MIN_AGE_TEXT = /too young|minimum password age/i;

/** True when the error means the connection is gone, before or during a request. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof ReconnectRefusedError) return true;
  if (!(error instanceof Error) || error instanceof ResultCodeError) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  return CONNECTION_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** True when the error is a TLS handshake or certificate verification failure. */
export function isTlsError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && TLS_CODE.test(code);
}

/**
 * Maps an ldapts or socket error to an AppError. `operation` names what was attempted,
 * for example `reset CN=jdoe,OU=Staff,...`; it must never contain a password. The server's
 * diagnostic text goes into the developer detail, which is logged and never shown in chat.
 */
export function toDirectoryError(error: unknown, operation: string): AppError {
  if (error instanceof AppError) return error;
  const code = classify(error);
  const reason = error instanceof Error ? error.message : String(error);
  return new AppError(code, { cause: error, detail: `${operation}: ${reason}` });
}

function classify(error: unknown): ErrorCode {
  if (isTlsError(error)) return 'DIRECTORY_TLS_FAILED';
  if (isConnectionError(error)) return 'DIRECTORY_UNAVAILABLE';
  if (!(error instanceof ResultCodeError)) return 'DIRECTORY_FAILED';

  if (error instanceof ConstraintViolationError || PASSWORD_RESTRICTION.test(error.message)) {
    if (HISTORY_TEXT.test(error.message)) return 'DIRECTORY_HISTORY';
    if (MIN_AGE_TEXT.test(error.message)) return 'DIRECTORY_MIN_AGE';
    return 'DIRECTORY_POLICY';
  }
  if (error instanceof InsufficientAccessError) return 'DIRECTORY_INSUFFICIENT_RIGHTS';
  if (error instanceof NoSuchObjectError) return 'DIRECTORY_NO_SUCH_OBJECT';
  if (error instanceof UnwillingToPerformError) return 'DIRECTORY_UNWILLING';
  if (error instanceof InvalidCredentialsError) return 'DIRECTORY_BIND_FAILED';
  if (error instanceof BusyError || error instanceof UnavailableError) {
    return 'DIRECTORY_UNAVAILABLE';
  }
  if (error instanceof ConfidentialityRequiredError || error instanceof StrongAuthRequiredError) {
    return 'DIRECTORY_INSECURE';
  }
  return 'DIRECTORY_FAILED';
}
