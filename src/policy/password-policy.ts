import type { DomainPolicy } from '../directory/directory.js';
import type { MessageKey, MessageParams } from '../i18n/translate.js';

export interface PolicyViolation {
  readonly messageKey: MessageKey;
  readonly params: MessageParams;
}

export interface PolicyInput {
  readonly password: string;
  readonly sAMAccountName: string;
  readonly displayName: string | undefined;
  readonly policy: DomainPolicy;
  /** Overrides the domain minimum when set (PASSWORD_MIN_LENGTH). */
  readonly minLength: number | undefined;
  readonly maxLength: number;
}

/**
 * Checks a new password the way AD's default complexity filter does, so that the user
 * hears which rule failed before AD is asked. AD's own verdict remains final.
 */
export function checkPassword(input: PolicyInput): PolicyViolation[] {
  const { password, policy } = input;
  const violations: PolicyViolation[] = [];
  const length = [...password].length;
  const minLength = effectiveMinLength(policy, input.minLength);

  if (/\p{Cc}/u.test(password)) {
    violations.push({ messageKey: 'policy.controlCharacters', params: {} });
  }
  if (length < minLength) {
    violations.push({ messageKey: 'policy.tooShort', params: { length, minLength } });
  }
  if (length > input.maxLength) {
    violations.push({
      messageKey: 'policy.tooLong',
      params: { length, maxLength: input.maxLength },
    });
  }
  if (policy.complexity) violations.push(...complexityViolations(input));
  return violations;
}

export function effectiveMinLength(policy: DomainPolicy, override: number | undefined): number {
  return Math.max(policy.minPasswordLength, override ?? 0);
}

function complexityViolations(input: PolicyInput): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const classes = characterClasses(input.password);
  if (classes.length < 3) {
    violations.push({
      messageKey: 'policy.complexity',
      params: { classes: classes.length === 0 ? 'none' : classes.join(', ') },
    });
  }
  const part = nameParts(input).find((name) =>
    input.password.toLowerCase().includes(name.toLowerCase()),
  );
  if (part !== undefined) violations.push({ messageKey: 'policy.containsName', params: { part } });
  return violations;
}

/** Returns the character groups AD's complexity rule counts. It requires three of them. */
function characterClasses(password: string): string[] {
  const classes: string[] = [];
  if (/\p{Lu}/u.test(password)) classes.push('upper-case letters');
  if (/\p{Ll}/u.test(password)) classes.push('lower-case letters');
  if (/\p{Nd}/u.test(password)) classes.push('digits');
  if (/[^\p{L}\p{Nd}\s]/u.test(password)) classes.push('symbols');
  else if (/\p{L}/u.test(password.replace(/[\p{Lu}\p{Ll}]/gu, ''))) classes.push('other letters');
  return classes;
}

/**
 * Returns the name parts AD rejects inside a password. These are the whole sAMAccountName
 * when it has 3 or more characters, and each display-name part of 3 or more characters.
 * The display name is split on AD's delimiters: comma, period, dash, underscore, hash,
 * space and tab.
 */
function nameParts(input: PolicyInput): string[] {
  const parts: string[] = [];
  if (input.sAMAccountName.length >= 3) parts.push(input.sAMAccountName);
  for (const token of (input.displayName ?? '').split(/[,.\-_#\s]+/)) {
    if (token.length >= 3) parts.push(token);
  }
  return parts;
}
