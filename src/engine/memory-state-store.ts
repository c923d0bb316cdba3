import { AppError } from '../errors/catalog.js';
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

interface Expiring<T> {
  readonly value: T;
  /** Epoch milliseconds, by the store's clock. */
  readonly expiresAt: number;
}

/**
 * Conversation state in process memory, for the demo and unit tests, with the same rules
 * as RedisStateStore. State is stored as JSON, so it round-trips exactly as it would
 * through Redis. TTLs follow the injected clock. The wait for a busy lock is real time.
 */
export class MemoryStateStore implements StateStore {
  private readonly turns = new Map<string, number>();
  private readonly locks = new Map<string, Expiring<string>>();
  private readonly states = new Map<string, Expiring<string>>();
  private readonly lockTtlMs: number;

  constructor(
    private readonly now: () => number = Date.now,
    options: StateStoreOptions = {},
  ) {
    this.lockTtlMs = options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
  }

  claim(conversation: string, turnId: string, waitMs: number): Promise<TurnClaim> {
    return claimWithin(waitMs, async () => this.tryClaim(conversation, turnId));
  }

  async release(
    conversation: string,
    token: string,
    state: FlowState | undefined,
    ttlSeconds: number,
  ): Promise<void> {
    checkStateTtl(ttlSeconds);
    if (this.liveLock(conversation) !== token) {
      throw new AppError('STATE_LOCK_LOST', { detail: conversation });
    }
    if (state) {
      const expiresAt = this.now() + Math.ceil(ttlSeconds * 1000);
      this.states.set(conversation, { value: encodeState(state), expiresAt });
    } else {
      this.states.delete(conversation);
    }
    this.locks.delete(conversation);
  }

  async abandon(conversation: string, token: string): Promise<void> {
    if (this.liveLock(conversation) === token) this.locks.delete(conversation);
  }

  private tryClaim(conversation: string, turnId: string): TurnClaim {
    const now = this.now();
    this.sweep(now);
    const turnKey = `${conversation}:${turnId}`;
    if (this.turns.has(turnKey)) return { kind: 'duplicate' };
    if (this.liveLock(conversation) !== undefined) return { kind: 'busy' };

    const token = newLockToken();
    this.locks.set(conversation, { value: token, expiresAt: now + this.lockTtlMs });
    this.turns.set(turnKey, now + TURN_ID_TTL_MS);
    const stored = this.states.get(conversation);
    if (!stored) return { kind: 'claimed', state: undefined, token };

    const state = decodeState(stored.value);
    if (state) return { kind: 'claimed', state, token };
    this.states.delete(conversation);
    this.locks.delete(conversation);
    throw new AppError('STATE_INVALID', { detail: conversation });
  }

  private liveLock(conversation: string): string | undefined {
    const lock = this.locks.get(conversation);
    return lock && lock.expiresAt > this.now() ? lock.value : undefined;
  }

  /** Drops expired turn ids, locks and states, as Redis TTLs would. */
  private sweep(now: number): void {
    for (const [key, expiresAt] of this.turns) {
      if (expiresAt <= now) this.turns.delete(key);
    }
    for (const map of [this.locks, this.states]) {
      for (const [key, entry] of map) {
        if (entry.expiresAt <= now) map.delete(key);
      }
    }
  }
}
