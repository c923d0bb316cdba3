import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { CodePurpose, CodeSettings } from './code-store.js';

/** The sliding window of the hourly send limits, in milliseconds. */
export const SEND_WINDOW_MS = 3_600_000;

/**
 * Returns a uniformly random numeric code of `length` digits, leading zeros kept.
 * `crypto.randomInt` takes ranges below 2^48, so `length` is at most 14.
 */
export function generateCode(length: number): string {
  return randomInt(0, 10 ** length)
    .toString()
    .padStart(length, '0');
}

/**
 * Returns HMAC-SHA256(hashKey, `subject|purpose|code`) in hex. Only this hash is stored,
 * so a copy of the store does not reveal live codes without the key. The subject and
 * purpose are part of the input, so a code never verifies for another user or purpose.
 */
export function hashCode(
  hashKey: string,
  subject: string,
  purpose: CodePurpose,
  code: string,
): string {
  return createHmac('sha256', hashKey).update(`${subject}|${purpose}|${code}`).digest('hex');
}

/** Compares two hex hashes in constant time. */
export function hashesEqual(left: string, right: string): boolean {
  const a = Buffer.from(left, 'hex');
  const b = Buffer.from(right, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Rejects settings that would make codes weak or the store misbehave. Configuration is
 * validated at start-up as well. This check guards stores built directly, as in tests.
 */
export function checkCodeSettings(settings: CodeSettings): void {
  const problems: string[] = [];
  if (!Number.isInteger(settings.length) || settings.length < 4 || settings.length > 14) {
    problems.push(`length must be a whole number from 4 to 14, got ${settings.length}`);
  }
  if (!(settings.ttlSeconds > 0)) {
    problems.push(`ttlSeconds must be positive, got ${settings.ttlSeconds}`);
  }
  if (!Number.isInteger(settings.maxAttempts) || settings.maxAttempts < 1) {
    problems.push(`maxAttempts must be a whole number of at least 1, got ${settings.maxAttempts}`);
  }
  if (!(settings.resendCooldownSeconds >= 0)) {
    problems.push(`resendCooldownSeconds must be 0 or more, got ${settings.resendCooldownSeconds}`);
  }
  for (const name of ['maxSendsPerAccountPerHour', 'maxSendsPerDestinationPerHour'] as const) {
    if (!Number.isInteger(settings[name]) || settings[name] < 1) {
      problems.push(`${name} must be a whole number of at least 1, got ${settings[name]}`);
    }
  }
  if (settings.hashKey.length < 32) {
    problems.push(`hashKey must have at least 32 characters, got ${settings.hashKey.length}`);
  }
  if (problems.length > 0) throw new RangeError(`invalid code settings: ${problems.join('; ')}`);
}
