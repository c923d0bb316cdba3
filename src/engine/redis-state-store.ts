import type { Redis } from 'ioredis';
import { AppError } from '../errors/catalog.js';
import { LuaScript } from '../redis/lua-script.js';
import { redisCall } from '../redis/redis-call.js';
import {
  checkStateTtl,
  claimWithin,
  DEFAULT_LOCK_TTL_MS,
  decodeState,
  encodeState,
  newLockToken,
  type StateStoreOptions,
  TURN_ID_TTL_MS,
} from './state-codec.js';
import type { FlowState, StateStore, TurnClaim } from './state-store.js';

/**
 * Reports a recorded turn id as a duplicate, or takes the lock, records the turn id and
 * returns the state. A busy lock records nothing, so the same turn can claim again later.
 *
 * KEYS: turn id, lock, state. ARGV: turn id TTL ms, lock token, lock TTL ms.
 */
const CLAIM = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return {'duplicate'} end
if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return {'busy'} end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
local state = redis.call('GET', KEYS[3])
if state then return {'claimed', state} end
return {'claimed'}
`);

/**
 * Saves the state (or deletes it when ARGV[2] is empty) and frees the lock, only while
 * the lock still holds this token. Returns 0 when it does not.
 *
 * KEYS: lock, state. ARGV: lock token, state JSON, state TTL ms.
 */
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[2])
else
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
end
redis.call('DEL', KEYS[1])
return 1
`);

/** Frees the lock if it holds this token. KEYS: lock. ARGV: lock token. */
const ABANDON = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * Conversation state and turn serialisation in Redis. Keys:
 * `<prefix>turn:<conversation>:<turn id>` (kept for a day), `<prefix>lock:<conversation>`
 * (a random token with a short TTL) and `<prefix>state:<conversation>` (JSON with the
 * TTL given to `release`).
 */
export class RedisStateStore implements StateStore {
  private readonly lockTtlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: StateStoreOptions = {},
  ) {
    this.lockTtlMs = options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
  }

  claim(conversation: string, turnId: string, waitMs: number): Promise<TurnClaim> {
    return claimWithin(waitMs, () => this.tryClaim(conversation, turnId));
  }

  async release(
    conversation: string,
    token: string,
    state: FlowState | undefined,
    ttlSeconds: number,
  ): Promise<void> {
    checkStateTtl(ttlSeconds);
    const keys = [this.lockKey(conversation), this.stateKey(conversation)];
    const args = [token, state ? encodeState(state) : '', Math.ceil(ttlSeconds * 1000)];
    const saved = await redisCall('save flow state', () => RELEASE.run(this.redis, keys, args));
    if (saved !== 1) throw new AppError('STATE_LOCK_LOST', { detail: conversation });
  }

  async abandon(conversation: string, token: string): Promise<void> {
    const keys = [this.lockKey(conversation)];
    await redisCall('free conversation lock', () => ABANDON.run(this.redis, keys, [token]));
  }

  private async tryClaim(conversation: string, turnId: string): Promise<TurnClaim> {
    const token = newLockToken();
    const keys = [
      `${this.prefix}turn:${conversation}:${turnId}`,
      this.lockKey(conversation),
      this.stateKey(conversation),
    ];
    const args = [TURN_ID_TTL_MS, token, this.lockTtlMs];
    const reply = await redisCall('claim turn', () => CLAIM.run(this.redis, keys, args));
    const [status, text] = reply as [string, string | undefined];

    if (status === 'duplicate' || status === 'busy') return { kind: status };
    if (status !== 'claimed') throw new Error(`claim turn: unexpected script reply ${status}`);
    if (text === undefined || text === null) return { kind: 'claimed', state: undefined, token };

    const state = decodeState(text);
    if (state) return { kind: 'claimed', state, token };
    await this.dropCorrupt(conversation, token);
    throw new AppError('STATE_INVALID', { detail: conversation });
  }

  /** Deletes unreadable state and frees the lock, so the next turn starts over. */
  private async dropCorrupt(conversation: string, token: string): Promise<void> {
    await redisCall('delete invalid flow state', () => this.redis.del(this.stateKey(conversation)));
    await this.abandon(conversation, token);
  }

  private lockKey(conversation: string): string {
    return `${this.prefix}lock:${conversation}`;
  }

  private stateKey(conversation: string): string {
    return `${this.prefix}state:${conversation}`;
  }
}
