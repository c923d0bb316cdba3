import { AppError } from '../errors/catalog.js';
import { safeRedisError } from './connect.js';

/**
 * Runs one store operation against Redis. Any failure (connection refused, timeout,
 * script error) becomes `AppError('STATE_UNAVAILABLE')` naming the operation, so callers
 * fail closed with one error code. AppErrors raised inside pass through unchanged.
 */
export async function redisCall<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('STATE_UNAVAILABLE', { cause: safeRedisError(error), detail: operation });
  }
}
