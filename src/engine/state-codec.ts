import { randomBytes } from 'node:crypto';
import type { FlowState, TurnClaim } from './state-store.js';

/** How long a turn id is remembered, so that a redelivery within a day is a duplicate. */
export const TURN_ID_TTL_MS = 86_400_000;

/**
 * The default lifetime of a conversation lock, in milliseconds. A replica that crashes
 * mid-turn blocks its conversation for at most this long. It must exceed the longest turn
 * (directory and SMS timeouts included), because a turn whose lock has expired cannot
 * save its state.
 */
export const DEFAULT_LOCK_TTL_MS = 30_000;

export interface StateStoreOptions {
  /** Lifetime of a conversation lock in milliseconds, DEFAULT_LOCK_TTL_MS when omitted. */
  readonly lockTtlMs?: number;
}

/** Returns a random lock token, so that only the turn that took a lock can free it. */
export function newLockToken(): string {
  return randomBytes(16).toString('hex');
}

/** Serialises state for storage. The JSON round trip drops `undefined` fields in both stores. */
export function encodeState(state: FlowState): string {
  return JSON.stringify(state);
}

/**
 * Parses stored state. Returns undefined when the text is not JSON of the FlowState
 * shape, which callers treat as corrupt state.
 */
export function decodeState(text: string): FlowState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const state = value as Record<string, unknown>;
  const valid =
    typeof state.flow === 'string' &&
    typeof state.step === 'string' &&
    typeof state.expiresAt === 'number' &&
    typeof state.data === 'object' &&
    state.data !== null;
  return valid ? (value as FlowState) : undefined;
}

/** Rejects a state TTL that Redis would refuse, before any write. */
export function checkStateTtl(ttlSeconds: number): void {
  if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) {
    throw new RangeError(`state TTL must be a positive number of seconds, got ${ttlSeconds}`);
  }
}

/**
 * Calls `attempt` until it returns something other than `busy` or `waitMs` has passed,
 * with backoff from 10 ms doubling to 200 ms plus jitter. `waitMs` of 0 means one try.
 */
export async function claimWithin(
  waitMs: number,
  attempt: () => Promise<TurnClaim>,
): Promise<TurnClaim> {
  const deadline = performance.now() + waitMs;
  let delayMs = 10;
  for (;;) {
    const claim = await attempt();
    const remainingMs = deadline - performance.now();
    if (claim.kind !== 'busy' || remainingMs <= 0) return claim;
    const pause = Math.min(delayMs + Math.random() * delayMs, remainingMs);
    await new Promise((resolve) => setTimeout(resolve, pause));
    delayMs = Math.min(delayMs * 2, 200);
  }
}
