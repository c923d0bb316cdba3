import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StateStoreOptions } from '../../src/engine/state-codec.js';
import type { FlowState, StateStore, TurnClaim } from '../../src/engine/state-store.js';
import { isAppError } from '../../src/errors/catalog.js';

/** One backend under test: a fresh, empty store per test. */
export interface StateStoreFixture {
  /** Opens `replicas` stores over one shared backend, as separate processes would. */
  open(options?: StateStoreOptions, replicas?: number): Promise<StateStore[]>;
  /** Lets `ms` milliseconds pass: moves an injected clock, or sleeps for a real server. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface StateStoreContract {
  readonly name: string;
  readonly fixture: () => StateStoreFixture;
}

const CONVERSATION = 'slack:T1:U1';

const STATE: FlowState = {
  flow: 'verify',
  step: 'code',
  data: { method: 'sms', attempts: 2, nested: { list: [1, 'two', null] } },
  expiresAt: 1_900_000_000_000,
  verifiedAt: 1_800_000_000_000,
  verifiedDn: 'CN=Ada,OU=Staff,DC=corp,DC=example,DC=test',
};

function tokenOf(claim: TurnClaim): string {
  if (claim.kind !== 'claimed') throw new Error(`expected a claim, got ${claim.kind}`);
  return claim.token;
}

function stateOf(claim: TurnClaim): FlowState | undefined {
  if (claim.kind !== 'claimed') throw new Error(`expected a claim, got ${claim.kind}`);
  return claim.state;
}

async function lockLost(promise: Promise<unknown>): Promise<boolean> {
  try {
    await promise;
    return false;
  } catch (error) {
    return isAppError(error, 'STATE_LOCK_LOST');
  }
}

/** Runs the StateStore contract against one implementation. */
export function stateStoreContract(contract: StateStoreContract): void {
  describe(`StateStore contract: ${contract.name}`, () => {
    let fixture: StateStoreFixture;
    const open = async (options: StateStoreOptions = {}) => {
      const [store] = await fixture.open(options);
      if (!store) throw new Error('fixture opened no store');
      return store;
    };

    beforeEach(() => {
      fixture = contract.fixture();
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('first claim has no state', async () => {
      const store = await open();
      const claim = await store.claim(CONVERSATION, 'turn-1', 0);
      expect(claim.kind).toBe('claimed');
      expect(stateOf(claim)).toBeUndefined();
      expect(tokenOf(claim)).toMatch(/^[0-9a-f]{32}$/);
    });

    it('release saves state', async () => {
      const store = await open();
      const token = tokenOf(await store.claim(CONVERSATION, 'turn-1', 0));
      await store.release(CONVERSATION, token, STATE, 60);
      expect(stateOf(await store.claim(CONVERSATION, 'turn-2', 0))).toEqual(STATE);
    });

    it('release without state deletes it', async () => {
      const store = await open();
      await store.release(
        CONVERSATION,
        tokenOf(await store.claim(CONVERSATION, 't1', 0)),
        STATE,
        60,
      );
      await store.release(
        CONVERSATION,
        tokenOf(await store.claim(CONVERSATION, 't2', 0)),
        undefined,
        60,
      );
      expect(stateOf(await store.claim(CONVERSATION, 't3', 0))).toBeUndefined();
    });

    it('duplicate turn id', async () => {
      const store = await open();
      const token = tokenOf(await store.claim(CONVERSATION, 'turn-1', 0));
      // A redelivery while the first delivery runs is a duplicate at once, not busy.
      const started = performance.now();
      expect(await store.claim(CONVERSATION, 'turn-1', 2000)).toEqual({ kind: 'duplicate' });
      expect(performance.now() - started).toBeLessThan(500);

      await store.release(CONVERSATION, token, STATE, 60);
      expect(await store.claim(CONVERSATION, 'turn-1', 0)).toEqual({ kind: 'duplicate' });
      expect((await store.claim('slack:T1:U2', 'turn-1', 0)).kind).toBe('claimed');
    });

    it('abandon keeps turn id and state', async () => {
      const store = await open();
      await store.release(
        CONVERSATION,
        tokenOf(await store.claim(CONVERSATION, 't1', 0)),
        STATE,
        60,
      );
      const token = tokenOf(await store.claim(CONVERSATION, 't2', 0));
      await store.abandon(CONVERSATION, token);

      expect(await store.claim(CONVERSATION, 't2', 0)).toEqual({ kind: 'duplicate' });
      expect(stateOf(await store.claim(CONVERSATION, 't3', 0))).toEqual(STATE);
    });

    it('busy lock returns busy after wait', async () => {
      const store = await open();
      tokenOf(await store.claim(CONVERSATION, 'turn-1', 0));

      expect(await store.claim(CONVERSATION, 'turn-2', 0)).toEqual({ kind: 'busy' });
      const started = performance.now();
      expect(await store.claim(CONVERSATION, 'turn-2', 300)).toEqual({ kind: 'busy' });
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(1500);
    });

    it('busy claim records no turn id', async () => {
      const store = await open();
      const token = tokenOf(await store.claim(CONVERSATION, 'turn-1', 0));
      expect(await store.claim(CONVERSATION, 'turn-2', 0)).toEqual({ kind: 'busy' });
      await store.release(CONVERSATION, token, STATE, 60);
      expect((await store.claim(CONVERSATION, 'turn-2', 0)).kind).toBe('claimed');
    });

    it('waiting claim gets freed lock', async () => {
      const [first, second] = await fixture.open({}, 2);
      if (!first || !second) throw new Error('fixture opened too few stores');
      const token = tokenOf(await first.claim(CONVERSATION, 'turn-1', 0));

      const waiting = second.claim(CONVERSATION, 'turn-2', 5000);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await first.release(CONVERSATION, token, STATE, 60);
      expect(stateOf(await waiting)).toEqual(STATE);
    });

    it('release with wrong token', async () => {
      const store = await open();
      await store.release(
        CONVERSATION,
        tokenOf(await store.claim(CONVERSATION, 't1', 0)),
        STATE,
        60,
      );
      const token = tokenOf(await store.claim(CONVERSATION, 't2', 0));

      const other = { ...STATE, step: 'other' };
      expect(await lockLost(store.release(CONVERSATION, `${token}x`, other, 60))).toBe(true);
      expect(await store.claim(CONVERSATION, 't3', 0)).toEqual({ kind: 'busy' });

      await store.abandon(CONVERSATION, 'not-the-token');
      expect(await store.claim(CONVERSATION, 't4', 0)).toEqual({ kind: 'busy' });

      await store.abandon(CONVERSATION, token);
      expect(stateOf(await store.claim(CONVERSATION, 't5', 0))).toEqual(STATE);
    });

    it('lock expires after crash', async () => {
      const [crashed, survivor] = await fixture.open({ lockTtlMs: 300 }, 2);
      if (!crashed || !survivor) throw new Error('fixture opened too few stores');
      const lostToken = tokenOf(await crashed.claim(CONVERSATION, 'turn-1', 0));
      expect(await survivor.claim(CONVERSATION, 'turn-2', 0)).toEqual({ kind: 'busy' });

      await fixture.advance(450);
      const token = tokenOf(await survivor.claim(CONVERSATION, 'turn-2', 0));
      // The late turn must not overwrite the state of the turn that took over.
      expect(await lockLost(crashed.release(CONVERSATION, lostToken, STATE, 60))).toBe(true);
      const newer = { ...STATE, step: 'newer' };
      await survivor.release(CONVERSATION, token, newer, 60);
      expect(stateOf(await survivor.claim(CONVERSATION, 'turn-3', 0))).toEqual(newer);
    });

    it('state expires after TTL', async () => {
      const store = await open();
      await store.release(
        CONVERSATION,
        tokenOf(await store.claim(CONVERSATION, 't1', 0)),
        STATE,
        1,
      );
      const live = await store.claim(CONVERSATION, 't2', 0);
      expect(stateOf(live)).toEqual(STATE);
      await store.abandon(CONVERSATION, tokenOf(live));

      await fixture.advance(1200);
      const claim = await store.claim(CONVERSATION, 't3', 0);
      expect(claim.kind).toBe('claimed');
      expect(stateOf(claim)).toBeUndefined();
    });

    it('conversations lock separately', async () => {
      const store = await open();
      tokenOf(await store.claim(CONVERSATION, 'turn-1', 0));
      expect((await store.claim('teams:T1:U2', 'turn-2', 0)).kind).toBe('claimed');
    });

    it('concurrent claims have one winner', async () => {
      const stores = await fixture.open({}, 4);
      const claims = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (stores[i % stores.length] as StateStore).claim(CONVERSATION, `turn-${i}`, 0),
        ),
      );
      expect(claims.filter((claim) => claim.kind === 'claimed')).toHaveLength(1);
      expect(claims.filter((claim) => claim.kind === 'busy')).toHaveLength(11);
    });

    it('concurrent redeliveries run once', async () => {
      const stores = await fixture.open({}, 4);
      const claims = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (stores[i % stores.length] as StateStore).claim(CONVERSATION, 'same-turn', 1000),
        ),
      );
      expect(claims.filter((claim) => claim.kind === 'claimed')).toHaveLength(1);
      expect(claims.filter((claim) => claim.kind === 'duplicate')).toHaveLength(11);
    });

    it('rejects non-positive TTL', async () => {
      const store = await open();
      const token = tokenOf(await store.claim(CONVERSATION, 'turn-1', 0));
      await expect(store.release(CONVERSATION, token, STATE, 0)).rejects.toThrow(/TTL/);
    });
  });
}
