import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RedisStateStore } from '../../src/engine/redis-state-store.js';
import { TURN_ID_TTL_MS } from '../../src/engine/state-codec.js';
import type { TurnClaim } from '../../src/engine/state-store.js';
import { isAppError } from '../../src/errors/catalog.js';
import { stateStoreContract } from '../contracts/state-store-cases.js';
import { startRedis } from '../harness/redis.js';
import { capturingLogger, RedisClients } from '../harness/redis-clients.js';
import { services } from '../harness/services.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let redisUrl: string;
beforeAll(() => {
  redisUrl = services().redisUrl();
});

stateStoreContract({
  name: 'RedisStateStore',
  fixture: () => {
    const clients = new RedisClients(redisUrl);
    return {
      async open(options, replicas = 1) {
        return Array.from(
          { length: replicas },
          () => new RedisStateStore(clients.connect(), clients.prefix, options),
        );
      },
      advance: sleep,
      close: () => clients.close(),
    };
  },
});

const CONVERSATION = 'slack:T1:U1';
const STATE = { flow: 'menu', step: 'idle', data: {}, expiresAt: 1_900_000_000_000 };

function tokenOf(claim: TurnClaim): string {
  if (claim.kind !== 'claimed') throw new Error(`expected a claim, got ${claim.kind}`);
  return claim.token;
}

async function failure(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected the call to fail');
}

describe('RedisStateStore on redis-server', () => {
  it('keys carry their TTLs', async () => {
    const clients = new RedisClients(redisUrl);
    try {
      const redis = clients.connect();
      const store = new RedisStateStore(redis, clients.prefix, { lockTtlMs: 5000 });
      await store.release(
        CONVERSATION,
        tokenOf(await store.claim(CONVERSATION, 't1', 0)),
        STATE,
        600,
      );
      tokenOf(await store.claim(CONVERSATION, 't2', 0));

      const turnTtl = await redis.pttl(`${clients.prefix}turn:${CONVERSATION}:t1`);
      expect(turnTtl).toBeGreaterThan(TURN_ID_TTL_MS - 60_000);
      expect(turnTtl).toBeLessThanOrEqual(TURN_ID_TTL_MS);
      const lockTtl = await redis.pttl(`${clients.prefix}lock:${CONVERSATION}`);
      expect(lockTtl).toBeGreaterThan(0);
      expect(lockTtl).toBeLessThanOrEqual(5000);
      const stateTtl = await redis.pttl(`${clients.prefix}state:${CONVERSATION}`);
      expect(stateTtl).toBeGreaterThan(590_000);
      expect(stateTtl).toBeLessThanOrEqual(600_000);
    } finally {
      await clients.close();
    }
  });

  it('invalid stored state is dropped', async () => {
    const clients = new RedisClients(redisUrl);
    try {
      const redis = clients.connect();
      const store = new RedisStateStore(redis, clients.prefix);
      await redis.set(`${clients.prefix}state:${CONVERSATION}`, '{"flow": 1', 'EX', 60);

      const { error } = await failure(() => store.claim(CONVERSATION, 't1', 0));
      expect(isAppError(error, 'STATE_INVALID'), String(error)).toBe(true);
      expect(await redis.exists(`${clients.prefix}state:${CONVERSATION}`)).toBe(0);
      const next = await store.claim(CONVERSATION, 't2', 0);
      expect(next.kind).toBe('claimed');
      expect(next.kind === 'claimed' ? next.state : 'unexpected').toBeUndefined();
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
      const store = new RedisStateStore(clients.connect(), clients.prefix);
      const token = tokenOf(await store.claim(CONVERSATION, 't1', 0));
      await own.stop();

      for (const call of [
        () => store.claim(CONVERSATION, 't2', 8000),
        () => store.release(CONVERSATION, token, STATE, 60),
        () => store.abandon(CONVERSATION, token),
      ]) {
        const { error, ms } = await failure(call);
        expect(isAppError(error, 'STATE_UNAVAILABLE'), String(error)).toBe(true);
        expect(ms).toBeLessThan(2500);
      }
      expect(lines.some((line) => line.msg === 'redis connection failed')).toBe(true);
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
      const store = new RedisStateStore(clients.connect(), clients.prefix);
      const { error, ms } = await failure(() => store.claim(CONVERSATION, 't1', 8000));
      expect(isAppError(error, 'STATE_UNAVAILABLE'), String(error)).toBe(true);
      expect(ms).toBeLessThan(2500);
    } finally {
      await clients.close();
    }
  });

  it('silent Redis times out', async () => {
    // Accepts connections and never replies, like a hung server.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const clients = new RedisClients(`redis://127.0.0.1:${port}`);
    try {
      const store = new RedisStateStore(clients.connect(), clients.prefix);
      const { error, ms } = await failure(() => store.claim(CONVERSATION, 't1', 8000));
      expect(isAppError(error, 'STATE_UNAVAILABLE'), String(error)).toBe(true);
      expect(ms).toBeLessThan(2500);
    } finally {
      await clients.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
