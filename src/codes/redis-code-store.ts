import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LuaScript } from '../redis/lua-script.js';
import { redisCall } from '../redis/redis-call.js';
import { checkCodeSettings, generateCode, hashCode, SEND_WINDOW_MS } from './code-hash.js';
import type {
  CodePurpose,
  CodeSettings,
  CodeStore,
  IssueRequest,
  IssueResult,
  VerifyResult,
} from './code-store.js';

/**
 * Checks the cooldown and both hourly limits, then stores the new code hash in place of
 * any old one. The limits are sliding windows: a sorted set per account and per
 * destination holds one member per send, scored by the Redis server's clock in
 * milliseconds, and members older than the window are dropped before counting. Refused
 * requests are not counted.
 *
 * KEYS: code, cooldown, account sends, destination sends.
 * ARGV: code hash, destination, TTL ms, cooldown ms, account max, destination max,
 * window ms, send id.
 */
const ISSUE = new LuaScript(`
local cooldown = redis.call('PTTL', KEYS[2])
if cooldown > 0 then return {'cooldown', cooldown} end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - window)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then return {'account-limit'} end
if redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[6]) then return {'destination-limit'} end

redis.call('ZADD', KEYS[3], now, ARGV[8])
redis.call('PEXPIRE', KEYS[3], window)
redis.call('ZADD', KEYS[4], now, ARGV[8])
redis.call('PEXPIRE', KEYS[4], window)

redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'hash', ARGV[1], 'destination', ARGV[2], 'attempts', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if tonumber(ARGV[4]) > 0 then redis.call('SET', KEYS[2], '1', 'PX', ARGV[4]) end
return {'ok'}
`);

/**
 * Compares the candidate hash with the stored one and consumes the code on a match, or
 * counts a wrong attempt and deletes the code at the last one. Lua compares strings by
 * identity after interning, so the comparison time does not depend on where two hashes
 * differ, and an attacker cannot compute either hash without the key anyway.
 *
 * KEYS: code. ARGV: candidate hash, max attempts.
 */
const VERIFY = new LuaScript(`
local record = redis.call('HMGET', KEYS[1], 'hash', 'destination')
if not record[1] then return {'void'} end
if record[1] == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return {'ok', record[2]}
end
local left = tonumber(ARGV[2]) - redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return {'wrong', 0}
end
return {'wrong', left}
`);

/**
 * Verification codes in Redis. Issue and verify are one script call each. Keys:
 * `<prefix>code:<purpose>:<subject>` (hash, destination, attempts),
 * `<prefix>code-cooldown:<purpose>:<subject>`, and the send windows
 * `<prefix>code-sends:account:<account>` and `<prefix>code-sends:destination:<destination>`.
 *
 * NOTE: each script touches keys of different subjects, so this store needs a single Redis
 * server (or a primary with replicas), not Redis Cluster.
 */
export class RedisCodeStore implements CodeStore {
  constructor(
    private readonly redis: Redis,
    private readonly settings: CodeSettings,
    private readonly prefix: string,
  ) {
    checkCodeSettings(settings);
  }

  async issue(request: IssueRequest): Promise<IssueResult> {
    const { subject, purpose } = request;
    const code = generateCode(this.settings.length);
    const keys = [
      this.codeKey(subject, purpose),
      this.cooldownKey(subject, purpose),
      `${this.prefix}code-sends:account:${request.account}`,
      `${this.prefix}code-sends:destination:${request.destination}`,
    ];
    const args = [
      hashCode(this.settings.hashKey, subject, purpose, code),
      request.destination,
      Math.ceil(this.settings.ttlSeconds * 1000),
      Math.ceil(this.settings.resendCooldownSeconds * 1000),
      this.settings.maxSendsPerAccountPerHour,
      this.settings.maxSendsPerDestinationPerHour,
      SEND_WINDOW_MS,
      randomBytes(8).toString('hex'),
    ];
    const reply = await redisCall('issue code', () => ISSUE.run(this.redis, keys, args));
    const [status, value] = reply as [string, number | undefined];

    if (status === 'ok') return { ok: true, code, expiresInSeconds: this.settings.ttlSeconds };
    if (status === 'cooldown') {
      return { ok: false, reason: 'cooldown', retryAfterSeconds: Math.ceil(Number(value) / 1000) };
    }
    if (status === 'account-limit' || status === 'destination-limit') {
      return { ok: false, reason: status };
    }
    throw unexpectedReply('issue code', status);
  }

  async verify(subject: string, purpose: CodePurpose, code: string): Promise<VerifyResult> {
    const candidate = hashCode(this.settings.hashKey, subject, purpose, code);
    const keys = [this.codeKey(subject, purpose)];
    const args = [candidate, this.settings.maxAttempts];
    const reply = await redisCall('verify code', () => VERIFY.run(this.redis, keys, args));
    const [status, value] = reply as [string, string | number | undefined];

    if (status === 'ok') return { ok: true, destination: String(value) };
    if (status === 'wrong') return { ok: false, reason: 'wrong', attemptsLeft: Number(value) };
    if (status === 'void') return { ok: false, reason: 'void' };
    throw unexpectedReply('verify code', status);
  }

  async cooldownRemaining(subject: string, purpose: CodePurpose): Promise<number> {
    const key = this.cooldownKey(subject, purpose);
    const remainingMs = await redisCall('read code cooldown', () => this.redis.pttl(key));
    return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
  }

  async discard(subject: string, purpose: CodePurpose): Promise<void> {
    const key = this.codeKey(subject, purpose);
    await redisCall('discard code', () => this.redis.del(key));
  }

  private codeKey(subject: string, purpose: CodePurpose): string {
    return `${this.prefix}code:${purpose}:${subject}`;
  }

  private cooldownKey(subject: string, purpose: CodePurpose): string {
    return `${this.prefix}code-cooldown:${purpose}:${subject}`;
  }
}

function unexpectedReply(operation: string, status: unknown): Error {
  return new Error(`${operation}: unexpected script reply ${JSON.stringify(status)}`);
}
