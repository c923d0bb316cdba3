import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { connectRedis } from '../../src/redis/connect.js';
import { captureLog } from '../contracts/log-capture.js';

/** Log lines a test logger captured, parsed from pino's JSON. */
export type LogLines = Record<string, unknown>[];

/** Returns a pino logger that keeps its lines in memory for assertions. */
export function capturingLogger(): { logger: Logger; lines: LogLines } {
  const { logger, lines } = captureLog();
  return { logger, lines };
}

/**
 * Clients of one Redis server under a key prefix unique to this set, so tests sharing the
 * server do not see each other's keys. close() disconnects every client it opened.
 */
export class RedisClients {
  readonly prefix = `test:${randomUUID()}:`;
  private readonly clients: Redis[] = [];

  constructor(
    private readonly url: string,
    private readonly logger: Logger = createLogger({ level: 'silent' }),
  ) {}

  connect(): Redis {
    const client = connectRedis(this.url, this.logger);
    this.clients.push(client);
    return client;
  }

  /**
   * Reads every key under the prefix and returns each with its type, TTL and value, as one
   * JSON text.
   */
  async dump(): Promise<string> {
    const redis = this.connect();
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 100);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');

    const entries = await Promise.all(keys.map(async (key) => [key, await readKey(redis, key)]));
    return JSON.stringify(entries);
  }

  async close(): Promise<void> {
    for (const client of this.clients.splice(0)) client.disconnect();
  }
}

async function readKey(redis: Redis, key: string): Promise<unknown> {
  const type = await redis.type(key);
  const ttlMs = await redis.pttl(key);
  switch (type) {
    case 'string':
      return { type, ttlMs, value: await redis.get(key) };
    case 'hash':
      return { type, ttlMs, value: await redis.hgetall(key) };
    case 'zset':
      return { type, ttlMs, value: await redis.zrange(key, 0, -1, 'WITHSCORES') };
    default:
      return { type, ttlMs };
  }
}
