import type { Registration, RegistrationStore, VerificationMethod } from './registration-store.js';

/**
 * Registrations in process memory, for the demo and for unit tests. It follows the same
 * rules as `MongoRegistrationStore` and passes the same contract tests. Everything is lost
 * when the process exits.
 */
export class MemoryRegistrationStore implements RegistrationStore {
  readonly #registrations = new Map<string, Registration>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  async get(chatKey: string): Promise<Registration | undefined> {
    return this.#registrations.get(chatKey);
  }

  /**
   * Links the chat identity to an account. When it was linked to a different account
   * before, the secondary e-mail is dropped, because it was verified for that account.
   */
  async linkAccount(chatKey: string, accountDn: string): Promise<Registration> {
    const current = this.#registrations.get(chatKey);
    if (current?.accountDn === accountDn) {
      return this.#save({ ...current, updatedAt: this.#now() });
    }
    return this.#save({
      chatKey,
      accountDn,
      secondaryEmail: undefined,
      emailVerifiedAt: undefined,
      preferredMethod: 'sms',
      updatedAt: this.#now(),
    });
  }

  async setSecondaryEmail(
    chatKey: string,
    accountDn: string,
    email: string,
    verifiedAt: Date,
  ): Promise<Registration> {
    const current = this.#registrations.get(chatKey);
    return this.#save({
      chatKey,
      accountDn,
      secondaryEmail: email,
      emailVerifiedAt: verifiedAt,
      preferredMethod: current?.preferredMethod ?? 'sms',
      updatedAt: this.#now(),
    });
  }

  async removeSecondaryEmail(chatKey: string): Promise<Registration | undefined> {
    const current = this.#registrations.get(chatKey);
    if (!current) return undefined;
    return this.#save({
      ...current,
      secondaryEmail: undefined,
      emailVerifiedAt: undefined,
      preferredMethod: 'sms',
      updatedAt: this.#now(),
    });
  }

  /**
   * Returns undefined, and changes nothing, when there is no registration or when `email`
   * is chosen without a secondary e-mail on file.
   */
  async setPreferredMethod(
    chatKey: string,
    method: VerificationMethod,
  ): Promise<Registration | undefined> {
    const current = this.#registrations.get(chatKey);
    if (!current) return undefined;
    if (method === 'email' && current.secondaryEmail === undefined) return undefined;
    return this.#save({ ...current, preferredMethod: method, updatedAt: this.#now() });
  }

  async close(): Promise<void> {}

  #save(registration: Registration): Registration {
    const stored = Object.freeze({ ...registration });
    this.#registrations.set(registration.chatKey, stored);
    return stored;
  }
}
