import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CodeStore } from '../../src/codes/code-store.js';
import { RedisCodeStore } from '../../src/codes/redis-code-store.js';
import { isAppError } from '../../src/errors/catalog.js';
import { BASE_SETTINGS, codeStoreContract } from '../contracts/code-store-cases.js';
import { startRedis } from '../harness/redis.js';
import { capturingLogger, RedisClients } from '../harness/redis-clients.js';
import { services } from '../harness/services.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let redisUrl: string;
beforeAll(() => {
  redisUrl = services().redisUrl();
});

codeStoreContract({
  name: 'RedisCodeStore',
  clock: 'real',
  fixture: () => {
    const clients = new RedisClients(redisUrl);
    return {
      async open(settings, replicas = 1) {
        return Array.from(
          { length: replicas },
          () => new RedisCodeStore(clients.connect(), settings, clients.prefix),
        );
      },
      advance: sleep,
      dump: () => clients.dump(),
      close: () => clients.close(),
    };
  },
});

const REQUEST = {
  subject: 'slack:T1:U1',
  purpose: 'verify',
  account: 'cn=ada,dc=corp',
  destination: '+905321234567',
} as const;

/** Resolves to the error a call rejects with and how long it took, in milliseconds. */
async function failure(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected the call to fail');
}

describe('RedisCodeStore on redis-server', () => {
  it('every key has a TTL', async () => {
    const clients = new RedisClients(redisUrl);
    try {
      const store = new RedisCodeStore(
        clients.connect(),
        { ...BASE_SETTINGS, resendCooldownSeconds: 30 },
        clients.prefix,
      );
      const issued = await store.issue(REQUEST);
      expect(issued.ok).toBe(true);
      await store.verify(REQUEST.subject, 'verify', 'not-the-code');

      const entries = JSON.parse(await clients.dump()) as [string, { ttlMs: number }][];
      const names = entries.map(([key]) => key.slice(clients.prefix.length)).sort();
      expect(names).toEqual([
        'code-cooldown:verify:slack:T1:U1',
        'code-sends:account:cn=ada,dc=corp',
        'code-sends:destination:+905321234567',
        'code:verify:slack:T1:U1',
      ]);
      for (const [key, entry] of entries) {
        expect(entry.ttlMs, key).toBeGreaterThan(0);
        expect(entry.ttlMs, key).toBeLessThanOrEqual(3_600_000);
      }
    } finally {
      await clients.close();
    }
  });

  it('scripts reload after SCRIPT FLUSH', async () => {
    const clients = new RedisClients(redisUrl);
    try {
      const redis = clients.connect();
      const store = new RedisCodeStore(redis, BASE_SETTINGS, clients.prefix);
      const issued = await store.issue(REQUEST);
      await redis.script('FLUSH');
      const code = issued.ok ? issued.code : '';
      expect(await store.verify(REQUEST.subject, 'verify', code)).toMatchObject({ ok: true });
    } finally {
      await clients.close();
    }
  });

  it('stopped Redis fails fast', async () => {
    const dir = resolve('.tmp', `redis-down-${randomUUID()}`);
    const own = await startRedis(dir);
    const { logger, lines } = capturingLogger();
    const clients = new RedisClients(own.value, logger);
    try {
      const store: CodeStore = new RedisCodeStore(clients.connect(), BASE_SETTINGS, clients.prefix);
      const issued = await store.issue(REQUEST);
      expect(issued.ok).toBe(true);
      const code = issued.ok ? issued.code : '';
      await own.stop();

      for (const call of [
        () => store.issue(REQUEST),
        () => store.verify(REQUEST.subject, 'verify', code),
        () => store.cooldownRemaining(REQUEST.subject, 'verify'),
      ]) {
        const { error, ms } = await failure(call);
        expect(isAppError(error, 'STATE_UNAVAILABLE'), String(error)).toBe(true);
        expect(ms).toBeLessThan(2500);
        expect(String(error)).not.toContain(REQUEST.destination);
      }
      expect(lines.some((line) => line.msg === 'redis connection failed')).toBe(true);
      expect(JSON.stringify(lines)).not.toContain(code);
    } finally {
      await clients.close();
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('unreachable Redis fails fast', async () => {
    const dir = resolve('.tmp', `redis-gone-${randomUUID()}`);
    const own = await startRedis(dir);
    await own.stop();
    rmSync(dir, { recursive: true, force: true });
    const clients = new RedisClients(own.value);
    try {
      const store = new RedisCodeStore(clients.connect(), BASE_SETTINGS, clients.prefix);
      const { error, ms } = await failure(() => store.verify(REQUEST.subject, 'verify', '123456'));
      expect(isAppError(error, 'STATE_UNAVAILABLE'), String(error)).toBe(true);
      expect(ms).toBeLessThan(2500);
    } finally {
      await clients.close();
    }
  });
});
