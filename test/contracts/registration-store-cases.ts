import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors/catalog.js';
import type { RegistrationStore } from '../../src/registrations/registration-store.js';

/** A store under test, with a way to count its records past its own API. */
export interface RegistrationStoreSubject {
  readonly store: RegistrationStore;
  /** How many stored records carry this chatKey. */
  countRecords(chatKey: string): Promise<number>;
}

export interface RegistrationStoreContract {
  /** Opens an empty or shared store whose clock is `now`. */
  open(now: () => Date): Promise<RegistrationStoreSubject>;
  /** Opens a store whose database has gone away. Omit it where there is no database. */
  openUnavailable?: () => Promise<RegistrationStore>;
}

const ACCOUNT = 'CN=Ayse Demir,OU=Staff,DC=corp,DC=example,DC=test';
const OTHER_ACCOUNT = 'CN=Mehmet Kaya,OU=Staff,DC=corp,DC=example,DC=test';

/** Returns a chatKey that no other test uses, so tests can share one database. */
function newChatKey(): string {
  return `slack:T0001:U${randomUUID()}`;
}

/** Returns a clock that tests move forward by hand. */
function manualClock(start = new Date('2026-03-01T09:00:00.000Z')) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms: number) => {
      current += ms;
    },
  };
}

/**
 * Defines the cases every RegistrationStore must pass, so the in-memory store and the
 * MongoDB store are held to the same behaviour.
 */
export function describeRegistrationStoreContract(
  name: string,
  contract: RegistrationStoreContract,
): void {
  describe(`${name} registration store contract`, () => {
    let clock = manualClock();
    let subject: RegistrationStoreSubject;

    const open = async () => {
      clock = manualClock();
      subject = await contract.open(clock.now);
      return subject.store;
    };

    afterEach(async () => {
      await subject?.store.close();
    });

    it('get unknown chatKey', async () => {
      const store = await open();

      expect(await store.get(newChatKey())).toBeUndefined();
    });

    it('linkAccount creates record', async () => {
      const store = await open();
      const chatKey = newChatKey();

      const linked = await store.linkAccount(chatKey, ACCOUNT);

      expect(linked).toEqual({
        chatKey,
        accountDn: ACCOUNT,
        secondaryEmail: undefined,
        emailVerifiedAt: undefined,
        preferredMethod: 'sms',
        updatedAt: clock.now(),
      });
      expect(await store.get(chatKey)).toEqual(linked);
      expect(await subject.countRecords(chatKey)).toBe(1);
    });

    it('linkAccount same account keeps e-mail', async () => {
      const store = await open();
      const chatKey = newChatKey();
      const verifiedAt = clock.now();
      await store.setSecondaryEmail(chatKey, ACCOUNT, 'ayse@example.org', verifiedAt);
      await store.setPreferredMethod(chatKey, 'email');
      clock.advance(60_000);

      const linked = await store.linkAccount(chatKey, ACCOUNT);

      expect(linked.secondaryEmail).toBe('ayse@example.org');
      expect(linked.emailVerifiedAt).toEqual(verifiedAt);
      expect(linked.preferredMethod).toBe('email');
      expect(linked.updatedAt).toEqual(clock.now());
    });

    it('linkAccount other account drops e-mail', async () => {
      const store = await open();
      const chatKey = newChatKey();
      await store.setSecondaryEmail(chatKey, ACCOUNT, 'ayse@example.org', clock.now());
      await store.setPreferredMethod(chatKey, 'email');

      const relinked = await store.linkAccount(chatKey, OTHER_ACCOUNT);

      expect(relinked.accountDn).toBe(OTHER_ACCOUNT);
      expect(relinked.secondaryEmail).toBeUndefined();
      expect(relinked.emailVerifiedAt).toBeUndefined();
      expect(relinked.preferredMethod).toBe('sms');
      expect(await store.get(chatKey)).toEqual(relinked);
      expect(await subject.countRecords(chatKey)).toBe(1);
    });

    it('setSecondaryEmail upserts record', async () => {
      const store = await open();
      const chatKey = newChatKey();
      const verifiedAt = new Date('2026-03-01T08:59:30.000Z');

      const saved = await store.setSecondaryEmail(chatKey, ACCOUNT, 'ayse@example.org', verifiedAt);

      expect(saved).toEqual({
        chatKey,
        accountDn: ACCOUNT,
        secondaryEmail: 'ayse@example.org',
        emailVerifiedAt: verifiedAt,
        preferredMethod: 'sms',
        updatedAt: clock.now(),
      });
      expect(await store.get(chatKey)).toEqual(saved);
    });

    it('setSecondaryEmail change keeps preference', async () => {
      const store = await open();
      const chatKey = newChatKey();
      await store.setSecondaryEmail(chatKey, ACCOUNT, 'old@example.org', clock.now());
      await store.setPreferredMethod(chatKey, 'email');
      clock.advance(1_000);
      const verifiedAt = clock.now();

      const changed = await store.setSecondaryEmail(
        chatKey,
        ACCOUNT,
        'new@example.org',
        verifiedAt,
      );

      expect(changed.secondaryEmail).toBe('new@example.org');
      expect(changed.emailVerifiedAt).toEqual(verifiedAt);
      expect(changed.preferredMethod).toBe('email');
      expect(await subject.countRecords(chatKey)).toBe(1);
    });

    it('removeSecondaryEmail resets to SMS', async () => {
      const store = await open();
      const chatKey = newChatKey();
      await store.setSecondaryEmail(chatKey, ACCOUNT, 'ayse@example.org', clock.now());
      await store.setPreferredMethod(chatKey, 'email');
      clock.advance(5_000);

      const removed = await store.removeSecondaryEmail(chatKey);

      expect(removed).toEqual({
        chatKey,
        accountDn: ACCOUNT,
        secondaryEmail: undefined,
        emailVerifiedAt: undefined,
        preferredMethod: 'sms',
        updatedAt: clock.now(),
      });
      expect(await store.get(chatKey)).toEqual(removed);
    });

    it('removeSecondaryEmail unknown creates nothing', async () => {
      const store = await open();
      const chatKey = newChatKey();

      expect(await store.removeSecondaryEmail(chatKey)).toBeUndefined();
      expect(await subject.countRecords(chatKey)).toBe(0);
    });

    it('setPreferredMethod email with address', async () => {
      const store = await open();
      const chatKey = newChatKey();
      await store.setSecondaryEmail(chatKey, ACCOUNT, 'ayse@example.org', clock.now());

      const toEmail = await store.setPreferredMethod(chatKey, 'email');
      const toSms = await store.setPreferredMethod(chatKey, 'sms');

      expect(toEmail?.preferredMethod).toBe('email');
      expect(toSms?.preferredMethod).toBe('sms');
      expect(toSms?.secondaryEmail).toBe('ayse@example.org');
    });

    it('setPreferredMethod email without address', async () => {
      const store = await open();
      const chatKey = newChatKey();
      await store.linkAccount(chatKey, ACCOUNT);

      expect(await store.setPreferredMethod(chatKey, 'email')).toBeUndefined();
      expect((await store.get(chatKey))?.preferredMethod).toBe('sms');
    });

    it('setPreferredMethod unknown creates nothing', async () => {
      const store = await open();
      const chatKey = newChatKey();

      expect(await store.setPreferredMethod(chatKey, 'sms')).toBeUndefined();
      expect(await subject.countRecords(chatKey)).toBe(0);
    });

    it('20 concurrent upserts leave one record', async () => {
      const store = await open();
      const chatKey = newChatKey();
      const verifiedAt = (index: number) => new Date(Date.UTC(2026, 2, 1, 9, 0, index));

      const writes = Array.from({ length: 20 }, (_, index) =>
        index % 4 === 0
          ? store.linkAccount(chatKey, ACCOUNT)
          : store.setSecondaryEmail(
              chatKey,
              ACCOUNT,
              `user${index}@example.org`,
              verifiedAt(index),
            ),
      );
      const results = await Promise.allSettled(writes);

      const rejected = results.filter((result) => result.status === 'rejected');
      expect(rejected).toEqual([]);
      expect(await subject.countRecords(chatKey)).toBe(1);

      const stored = await store.get(chatKey);
      expect(stored?.accountDn).toBe(ACCOUNT);
      expect(stored?.secondaryEmail).toMatch(/^user\d+@example\.org$/);
      const index = Number(stored?.secondaryEmail?.match(/\d+/)?.[0]);
      expect(stored?.emailVerifiedAt).toEqual(verifiedAt(index));
    });

    it.runIf(Boolean(contract.openUnavailable))(
      'database down raises DATABASE_UNAVAILABLE',
      async () => {
        const store = await contract.openUnavailable?.();
        if (!store) throw new Error('openUnavailable returned no store');
        const chatKey = newChatKey();
        const calls: [string, () => Promise<unknown>][] = [
          ['get', () => store.get(chatKey)],
          ['linkAccount', () => store.linkAccount(chatKey, ACCOUNT)],
          [
            'setSecondaryEmail',
            () => store.setSecondaryEmail(chatKey, ACCOUNT, 'a@example.org', clock.now()),
          ],
          ['removeSecondaryEmail', () => store.removeSecondaryEmail(chatKey)],
          ['setPreferredMethod', () => store.setPreferredMethod(chatKey, 'sms')],
        ];

        for (const [method, call] of calls) {
          const started = Date.now();
          const error = await call().then(
            () => undefined,
            (caught: unknown) => caught,
          );
          const elapsedMs = Date.now() - started;

          expect(isAppError(error, 'DATABASE_UNAVAILABLE'), `${method}: ${String(error)}`).toBe(
            true,
          );
          expect(elapsedMs, `${method} took ${elapsedMs} ms`).toBeLessThan(2_500);
        }
      },
    );
  });
}
