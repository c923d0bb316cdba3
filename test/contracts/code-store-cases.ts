import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  CodeSettings,
  CodeStore,
  IssueRequest,
  IssueResult,
} from '../../src/codes/code-store.js';

/** One backend under test: a fresh, empty store per test. */
export interface CodeStoreFixture {
  /** Opens `replicas` stores over one shared backend, as separate processes would. */
  open(settings: CodeSettings, replicas?: number): Promise<CodeStore[]>;
  /** Lets `ms` milliseconds pass: moves an injected clock, or sleeps for a real server. */
  advance(ms: number): Promise<void>;
  /** Every key and value the backend stores, as one text, for the plain-text check. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

export interface CodeStoreContract {
  readonly name: string;
  /** `injected` when advance() is instant, so hour-long windows can be tested. */
  readonly clock: 'injected' | 'real';
  readonly fixture: () => CodeStoreFixture;
}

const HASH_KEY = 'contract-test-hash-key-0123456789abcdef';

export const BASE_SETTINGS: CodeSettings = {
  length: 6,
  ttlSeconds: 60,
  maxAttempts: 3,
  resendCooldownSeconds: 0,
  maxSendsPerAccountPerHour: 1000,
  maxSendsPerDestinationPerHour: 1000,
  hashKey: HASH_KEY,
};

const REQUEST: IssueRequest = {
  subject: 'slack:T1:U1',
  purpose: 'verify',
  account: 'cn=ada,ou=staff,dc=corp,dc=example,dc=test',
  destination: '+905321234567',
};

function issued(result: IssueResult): string {
  if (!result.ok) throw new Error(`expected a code, got ${JSON.stringify(result)}`);
  return result.code;
}

/** Returns a code of the same length that differs from `code` in its last digit. */
function wrongCode(code: string): string {
  const last = Number(code.at(-1));
  return `${code.slice(0, -1)}${(last + 1) % 10}`;
}

/** Runs the CodeStore contract against one implementation. */
export function codeStoreContract(contract: CodeStoreContract): void {
  describe(`CodeStore contract: ${contract.name}`, () => {
    let fixture: CodeStoreFixture;
    const open = async (overrides: Partial<CodeSettings> = {}) => {
      const [store] = await fixture.open({ ...BASE_SETTINGS, ...overrides });
      if (!store) throw new Error('fixture opened no store');
      return store;
    };

    beforeEach(() => {
      fixture = contract.fixture();
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('right code verifies once', async () => {
      const store = await open();
      const result = await store.issue(REQUEST);
      expect(result).toMatchObject({ ok: true, expiresInSeconds: 60 });
      const code = issued(result);
      expect(code).toMatch(/^\d{6}$/);

      expect(await store.verify(REQUEST.subject, 'verify', code)).toEqual({
        ok: true,
        destination: REQUEST.destination,
      });
      expect(await store.verify(REQUEST.subject, 'verify', code)).toEqual({
        ok: false,
        reason: 'void',
      });
    });

    it('codes keep leading zeros', async () => {
      const store = await open({ length: 4 });
      const codes: string[] = [];
      // P(no code starting with 0 in 300 draws) = 0.9^300, about 2e-14.
      for (let i = 0; i < 300 && !codes.some((code) => code.startsWith('0')); i += 1) {
        codes.push(issued(await store.issue(REQUEST)));
      }
      for (const code of codes) expect(code).toMatch(/^\d{4}$/);
      const last = codes.at(-1) ?? '';
      expect(last.startsWith('0')).toBe(true);
      expect(await store.verify(REQUEST.subject, 'verify', last)).toMatchObject({ ok: true });
    });

    it('wrong code reports attempts left', async () => {
      const store = await open({ maxAttempts: 3 });
      const code = issued(await store.issue(REQUEST));
      const wrong = wrongCode(code);

      expect(await store.verify(REQUEST.subject, 'verify', wrong)).toEqual({
        ok: false,
        reason: 'wrong',
        attemptsLeft: 2,
      });
      expect(await store.verify(REQUEST.subject, 'verify', wrong)).toEqual({
        ok: false,
        reason: 'wrong',
        attemptsLeft: 1,
      });
      expect(await store.verify(REQUEST.subject, 'verify', code)).toMatchObject({ ok: true });
    });

    it('code void after max attempts', async () => {
      const store = await open({ maxAttempts: 3 });
      const code = issued(await store.issue(REQUEST));
      const left: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const result = await store.verify(REQUEST.subject, 'verify', wrongCode(code));
        if (result.ok || result.reason !== 'wrong') throw new Error(JSON.stringify(result));
        left.push(result.attemptsLeft);
      }
      expect(left).toEqual([2, 1, 0]);
      expect(await store.verify(REQUEST.subject, 'verify', code)).toEqual({
        ok: false,
        reason: 'void',
      });
    });

    it('non-numeric input counts as wrong', async () => {
      const store = await open({ maxAttempts: 2 });
      const code = issued(await store.issue(REQUEST));
      expect(await store.verify(REQUEST.subject, 'verify', '')).toMatchObject({ attemptsLeft: 1 });
      expect(await store.verify(REQUEST.subject, 'verify', `${code} `)).toMatchObject({
        attemptsLeft: 0,
      });
      expect(await store.verify(REQUEST.subject, 'verify', code)).toMatchObject({ reason: 'void' });
    });

    it('expired code is void', async () => {
      const store = await open({ ttlSeconds: 1 });
      const code = issued(await store.issue(REQUEST));
      await fixture.advance(1200);
      expect(await store.verify(REQUEST.subject, 'verify', code)).toEqual({
        ok: false,
        reason: 'void',
      });
    });

    it('new code replaces old', async () => {
      const store = await open({ length: 8 });
      const first = issued(await store.issue(REQUEST));
      const second = issued(await store.issue(REQUEST));
      expect(second).not.toBe(first);

      expect(await store.verify(REQUEST.subject, 'verify', first)).toEqual({
        ok: false,
        reason: 'wrong',
        attemptsLeft: 2,
      });
      expect(await store.verify(REQUEST.subject, 'verify', second)).toMatchObject({ ok: true });
    });

    it('resend cooldown', async () => {
      const store = await open({ resendCooldownSeconds: 2 });
      expect(await store.cooldownRemaining(REQUEST.subject, 'verify')).toBe(0);
      issued(await store.issue(REQUEST));

      const again = await store.issue(REQUEST);
      expect(again).toMatchObject({ ok: false, reason: 'cooldown' });
      const retryAfter = again.ok || again.reason !== 'cooldown' ? -1 : again.retryAfterSeconds;
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(2);
      expect(await store.cooldownRemaining(REQUEST.subject, 'verify')).toBeGreaterThanOrEqual(1);

      // The cooldown belongs to one subject and purpose.
      const other = { ...REQUEST, subject: 'slack:T1:U2' };
      expect(await store.issue(other)).toMatchObject({ ok: true });
      expect(await store.issue({ ...REQUEST, purpose: 'email-confirm' })).toMatchObject({
        ok: true,
      });

      await fixture.advance(2200);
      expect(await store.cooldownRemaining(REQUEST.subject, 'verify')).toBe(0);
      expect(await store.issue(REQUEST)).toMatchObject({ ok: true });
    });

    it('cooldown survives discard', async () => {
      const store = await open({ resendCooldownSeconds: 30 });
      issued(await store.issue(REQUEST));
      await store.discard(REQUEST.subject, 'verify');
      expect(await store.issue(REQUEST)).toMatchObject({ ok: false, reason: 'cooldown' });
    });

    it('account send limit', async () => {
      const store = await open({ maxSendsPerAccountPerHour: 2 });
      const sameAccount = (n: number) => ({
        ...REQUEST,
        subject: `slack:T1:U${n}`,
        destination: `+9053212345${60 + n}`,
      });
      expect(await store.issue(sameAccount(1))).toMatchObject({ ok: true });
      expect(await store.issue(sameAccount(2))).toMatchObject({ ok: true });
      expect(await store.issue(sameAccount(3))).toEqual({ ok: false, reason: 'account-limit' });

      const otherAccount = { ...sameAccount(4), account: 'cn=bob,ou=staff,dc=corp' };
      expect(await store.issue(otherAccount)).toMatchObject({ ok: true });
    });

    it('destination send limit', async () => {
      const store = await open({ maxSendsPerDestinationPerHour: 2 });
      const sameDestination = (n: number) => ({
        ...REQUEST,
        subject: `teams:T1:U${n}`,
        account: `cn=user${n},ou=staff,dc=corp`,
      });
      expect(await store.issue(sameDestination(1))).toMatchObject({ ok: true });
      expect(await store.issue(sameDestination(2))).toMatchObject({ ok: true });
      expect(await store.issue(sameDestination(3))).toEqual({
        ok: false,
        reason: 'destination-limit',
      });

      const otherDestination = { ...sameDestination(4), destination: 'ada@example.org' };
      expect(await store.issue(otherDestination)).toMatchObject({ ok: true });
    });

    it('refused sends are not counted', async () => {
      const store = await open({ maxSendsPerAccountPerHour: 1, resendCooldownSeconds: 30 });
      issued(await store.issue(REQUEST));
      expect(await store.issue(REQUEST)).toMatchObject({ reason: 'cooldown' });
      const other = { ...REQUEST, subject: 'slack:T1:U9', account: 'cn=other,dc=corp' };
      // The destination limit is 1000, so only the account limit could refuse this.
      expect(await store.issue(other)).toMatchObject({ ok: true });
    });

    it.runIf(contract.clock === 'injected')('send limit window slides', async () => {
      const store = await open({ maxSendsPerAccountPerHour: 2 });
      const at = (n: number) => ({ ...REQUEST, subject: `slack:T1:U${n}` });
      expect(await store.issue(at(1))).toMatchObject({ ok: true });
      await fixture.advance(30 * 60_000);
      expect(await store.issue(at(2))).toMatchObject({ ok: true });
      await fixture.advance(29 * 60_000);
      expect(await store.issue(at(3))).toEqual({ ok: false, reason: 'account-limit' });

      // The first send leaves the window one hour after it was made.
      await fixture.advance(61_000);
      expect(await store.issue(at(4))).toMatchObject({ ok: true });
      expect(await store.issue(at(5))).toEqual({ ok: false, reason: 'account-limit' });
    });

    it('purposes and subjects are separate', async () => {
      const store = await open({ length: 8 });
      const verifyCode = issued(await store.issue(REQUEST));
      const mailRequest = { ...REQUEST, purpose: 'email-confirm' as const };
      const mailCode = issued(await store.issue(mailRequest));

      expect(await store.verify(REQUEST.subject, 'email-confirm', verifyCode)).toMatchObject({
        reason: 'wrong',
      });
      expect(await store.verify('slack:T1:intruder', 'verify', verifyCode)).toEqual({
        ok: false,
        reason: 'void',
      });
      expect(await store.verify(REQUEST.subject, 'verify', verifyCode)).toMatchObject({ ok: true });
      expect(await store.verify(REQUEST.subject, 'email-confirm', mailCode)).toMatchObject({
        ok: true,
      });
    });

    it('discard drops live code', async () => {
      const store = await open();
      const code = issued(await store.issue(REQUEST));
      await store.discard(REQUEST.subject, 'verify');
      expect(await store.verify(REQUEST.subject, 'verify', code)).toEqual({
        ok: false,
        reason: 'void',
      });
    });

    it('stores only a keyed hash', async () => {
      // Ten digits, so the code cannot turn up by chance in a stored number or hash.
      const store = await open({ length: 10 });
      const code = issued(await store.issue(REQUEST));
      const expectedHash = createHmac('sha256', HASH_KEY)
        .update(`${REQUEST.subject}|verify|${code}`)
        .digest('hex');

      const stored = await fixture.dump();
      expect(stored).toContain(REQUEST.destination);
      expect(stored).toContain(expectedHash);
      expect(stored).not.toContain(code);
    });

    it('concurrent verifies succeed once', async () => {
      const stores = await fixture.open(BASE_SETTINGS, 4);
      const code = issued(await (stores[0] as CodeStore).issue(REQUEST));
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (stores[i % stores.length] as CodeStore).verify(REQUEST.subject, 'verify', code),
        ),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.filter((result) => !result.ok && result.reason === 'void')).toHaveLength(39);
    });

    it('concurrent wrong guesses stop at max', async () => {
      const stores = await fixture.open({ ...BASE_SETTINGS, maxAttempts: 3 }, 4);
      const code = issued(await (stores[0] as CodeStore).issue(REQUEST));
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (stores[i % stores.length] as CodeStore).verify(
            REQUEST.subject,
            'verify',
            wrongCode(code),
          ),
        ),
      );
      const left = results.flatMap((result) =>
        !result.ok && result.reason === 'wrong' ? [result.attemptsLeft] : [],
      );
      expect(left.sort()).toEqual([0, 1, 2]);
      expect(results.filter((result) => !result.ok && result.reason === 'void')).toHaveLength(9);
    });

    it('rejects weak settings', async () => {
      await expect(fixture.open({ ...BASE_SETTINGS, hashKey: 'short' })).rejects.toThrow(/hashKey/);
      await expect(fixture.open({ ...BASE_SETTINGS, length: 3 })).rejects.toThrow(/length/);
    });
  });
}
