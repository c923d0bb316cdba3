import {
  checkCodeSettings,
  generateCode,
  hashCode,
  hashesEqual,
  SEND_WINDOW_MS,
} from './code-hash.js';
import type {
  CodePurpose,
  CodeSettings,
  CodeStore,
  IssueRequest,
  IssueResult,
  VerifyResult,
} from './code-store.js';

interface StoredCode {
  readonly hash: string;
  readonly destination: string;
  readonly expiresAt: number;
  attempts: number;
}

/**
 * Verification codes in process memory, for the demo and unit tests. It keeps the same
 * rules as RedisCodeStore: keyed hashes only, sliding one-hour send windows, and atomic
 * verify-and-consume (no `await` runs between reading and deleting a code). State is
 * lost on restart and is not shared between processes.
 */
export class MemoryCodeStore implements CodeStore {
  private readonly codes = new Map<string, StoredCode>();
  /** Epoch milliseconds until which a subject and purpose may not be sent a new code. */
  private readonly cooldowns = new Map<string, number>();
  /** Send times in epoch milliseconds, by `account:<key>` and `destination:<key>`. */
  private readonly sends = new Map<string, number[]>();

  constructor(
    private readonly settings: CodeSettings,
    private readonly now: () => number = Date.now,
  ) {
    checkCodeSettings(settings);
  }

  async issue(request: IssueRequest): Promise<IssueResult> {
    const now = this.now();
    this.sweep(now);
    const key = slot(request.subject, request.purpose);

    const cooldownMs = (this.cooldowns.get(key) ?? 0) - now;
    if (cooldownMs > 0) {
      return { ok: false, reason: 'cooldown', retryAfterSeconds: Math.ceil(cooldownMs / 1000) };
    }
    const accountSends = this.sends.get(`account:${request.account}`) ?? [];
    const destinationSends = this.sends.get(`destination:${request.destination}`) ?? [];
    if (accountSends.length >= this.settings.maxSendsPerAccountPerHour) {
      return { ok: false, reason: 'account-limit' };
    }
    if (destinationSends.length >= this.settings.maxSendsPerDestinationPerHour) {
      return { ok: false, reason: 'destination-limit' };
    }

    this.sends.set(`account:${request.account}`, [...accountSends, now]);
    this.sends.set(`destination:${request.destination}`, [...destinationSends, now]);
    const code = generateCode(this.settings.length);
    this.codes.set(key, {
      hash: hashCode(this.settings.hashKey, request.subject, request.purpose, code),
      destination: request.destination,
      expiresAt: now + this.settings.ttlSeconds * 1000,
      attempts: 0,
    });
    if (this.settings.resendCooldownSeconds > 0) {
      this.cooldowns.set(key, now + this.settings.resendCooldownSeconds * 1000);
    }
    return { ok: true, code, expiresInSeconds: this.settings.ttlSeconds };
  }

  async verify(subject: string, purpose: CodePurpose, code: string): Promise<VerifyResult> {
    const key = slot(subject, purpose);
    const stored = this.codes.get(key);
    if (!stored || stored.expiresAt <= this.now()) {
      this.codes.delete(key);
      return { ok: false, reason: 'void' };
    }
    if (hashesEqual(stored.hash, hashCode(this.settings.hashKey, subject, purpose, code))) {
      this.codes.delete(key);
      return { ok: true, destination: stored.destination };
    }
    stored.attempts += 1;
    const attemptsLeft = Math.max(this.settings.maxAttempts - stored.attempts, 0);
    if (attemptsLeft === 0) this.codes.delete(key);
    return { ok: false, reason: 'wrong', attemptsLeft };
  }

  async cooldownRemaining(subject: string, purpose: CodePurpose): Promise<number> {
    const remainingMs = (this.cooldowns.get(slot(subject, purpose)) ?? 0) - this.now();
    return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
  }

  async discard(subject: string, purpose: CodePurpose): Promise<void> {
    this.codes.delete(slot(subject, purpose));
  }

  /** Drops expired codes, cooldowns and send times, as Redis TTLs would. */
  private sweep(now: number): void {
    for (const [key, stored] of this.codes) {
      if (stored.expiresAt <= now) this.codes.delete(key);
    }
    for (const [key, until] of this.cooldowns) {
      if (until <= now) this.cooldowns.delete(key);
    }
    for (const [key, times] of this.sends) {
      const live = times.filter((time) => time > now - SEND_WINDOW_MS);
      if (live.length === 0) this.sends.delete(key);
      else this.sends.set(key, live);
    }
  }
}

function slot(subject: string, purpose: CodePurpose): string {
  return `${purpose}:${subject}`;
}
