import mongoose, { type Connection } from 'mongoose';
import { AppError } from '../errors/catalog.js';
import type { Logger } from '../log/logger.js';

/**
 * Driver error names that mean the server could not be reached or stopped responding, as
 * opposed to a server that returned an error.
 */
const UNREACHABLE_ERRORS = new Set([
  'MongooseServerSelectionError',
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoOperationTimeoutError',
]);

/**
 * Node socket error codes. Driver 7 (mongoose 9) can pass a bare socket error such as
 * `write ECONNRESET` through when the server drops the connection mid-call.
 */
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Opens a dedicated mongoose connection (not the global one). Commands are not buffered
 * while the server is away, so every call fails after at most `timeoutMs` of server
 * selection instead of waiting for a reconnect. The same value bounds connecting and each
 * socket read. Indexes are not built automatically: each store creates its own at start.
 *
 * Raises `AppError` DATABASE_UNAVAILABLE when the server cannot be reached in time.
 */
export async function connectMongo(
  uri: string,
  timeoutMs: number,
  logger: Logger,
): Promise<Connection> {
  const target = describeMongoUri(uri);
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs,
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
  });
  watchConnection(connection, target, logger);

  try {
    await connection.asPromise();
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw toDatabaseError(error, `connect to ${target}`);
  }
  logger.info({ target, timeoutMs }, 'mongodb connected');
  return connection;
}

function watchConnection(connection: Connection, target: string, logger: Logger): void {
  connection.on('disconnected', () => logger.warn({ target }, 'mongodb disconnected'));
  connection.on('reconnected', () => logger.info({ target }, 'mongodb reconnected'));
  connection.on('error', (error: unknown) => logger.error({ target, err: error }, 'mongodb error'));
}

/** Returns the hosts and database of a MongoDB URI, without the user name or password. */
export function describeMongoUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)[^@/]*@/, '$1').replace(/\?.*$/, '');
}

/**
 * Wraps a driver or mongoose error once: unreachable or timed-out servers become
 * DATABASE_UNAVAILABLE, and every other failure becomes DATABASE_FAILED. An `AppError`
 * passes through unchanged.
 */
export function toDatabaseError(error: unknown, operation: string): AppError {
  if (error instanceof AppError) return error;
  const code = isUnreachable(error) ? 'DATABASE_UNAVAILABLE' : 'DATABASE_FAILED';
  return new AppError(code, { cause: error, detail: operation });
}

/** Looks through the error and its causes for a sign that the server is unreachable. */
function isUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (UNREACHABLE_ERRORS.has(current.name)) return true;
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
    current = current.cause;
  }
  return false;
}

/** Runs one database call and converts whatever it throws with `toDatabaseError`. */
export async function runDatabaseCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toDatabaseError(error, operation);
  }
}

/** Returns true for a MongoDB duplicate-key error (E11000). */
export function isDuplicateKeyError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000
  );
}
