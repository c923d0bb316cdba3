import { describe, expect, it } from 'vitest';
import type { DomainPolicy } from '../../../src/directory/directory.js';
import { checkPassword } from '../../../src/policy/password-policy.js';

const policy: DomainPolicy = {
  minPasswordLength: 8,
  complexity: true,
  historyLength: 24,
  minPasswordAgeSeconds: 0,
  lockoutThreshold: 3,
  lockoutDurationSeconds: 900,
};

function rulesBroken(password: string, overrides: Partial<DomainPolicy> = {}): string[] {
  return checkPassword({
    password,
    sAMAccountName: 'jdoe',
    displayName: 'Jane Doe-Smith',
    policy: { ...policy, ...overrides },
    minLength: undefined,
    maxLength: 64,
  }).map((violation) => violation.messageKey);
}

describe('checkPassword', () => {
  it('passes a long password with three character groups', () => {
    expect(rulesBroken('Correct-Horse-7')).toEqual([]);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(rulesBroken('Şifre-1ä')).toEqual([]);
  });

  it('names each broken rule', () => {
    expect(rulesBroken('aB1!')).toEqual(['policy.tooShort']);
    expect(rulesBroken('alllowercase')).toEqual(['policy.complexity']);
    expect(rulesBroken('X-jdoe-2026')).toEqual(['policy.containsName']);
    expect(rulesBroken('Smith-Family-9')).toEqual(['policy.containsName']);
    expect(rulesBroken('Line\nBreak-99')).toContain('policy.controlCharacters');
    expect(rulesBroken(`Aa1-${'x'.repeat(70)}`)).toEqual(['policy.tooLong']);
  });

  it('skips the complexity rules when the domain does not require them', () => {
    expect(rulesBroken('alllowercase', { complexity: false })).toEqual([]);
  });
});
