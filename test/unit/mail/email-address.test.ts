import { describe, expect, it } from 'vitest';
import { maskEmail, sameEmail, validateEmailAddress } from '../../../src/mail/email-address.js';
import { renderMail } from '../../../src/mail/render-mail.js';

const rules = {
  maxLength: 254,
  allowedDomains: [],
  blockedDomains: ['mailinator.com'],
  corporateAddresses: ['alice@corp.example.test'],
  allowCorporate: false,
};

describe('validateEmailAddress', () => {
  it('accepts an ordinary address and lower-cases the domain', () => {
    expect(validateEmailAddress(' Alice.Home@Example.ORG ', rules)).toEqual({
      ok: true,
      address: 'Alice.Home@example.org',
    });
  });

  it('accepts internationalised addresses', () => {
    expect(validateEmailAddress('müller@bücher.de', rules)).toEqual({
      ok: true,
      address: 'müller@bücher.de',
    });
    expect(validateEmailAddress('user@xn--bcher-kva.de', rules).ok).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['alice', 'no-at'],
    ['alice@', 'no-at'],
    ['a b@example.org', 'spaces'],
    ['a@localhost', 'bad-domain'],
    ['a@[127.0.0.1]', 'bad-domain'],
    ['a@127.0.0.1', 'bad-domain'],
    [`${'x'.repeat(70)}@example.org`, 'local-too-long'],
    ['"<script>"@example.org', 'syntax'],
    ['😀@example.org', 'syntax'],
    ['ab\u202Ecd@example.org', 'syntax'],
    ['a\u200Bb@example.org', 'syntax'],
  ])('rejects %j as %s', (typed, detail) => {
    expect(validateEmailAddress(typed, rules)).toEqual({ ok: false, reason: 'invalid', detail });
  });

  it('rejects an address over the length limit', () => {
    const long = `${'a'.repeat(250)}@example.org`;
    expect(validateEmailAddress(long, rules)).toMatchObject({ ok: false, reason: 'too-long' });
  });

  it('rejects the work address in any letter case', () => {
    expect(validateEmailAddress('ALICE@Corp.Example.Test', rules)).toMatchObject({
      ok: false,
      reason: 'corporate',
    });
  });

  it('rejects aliases at the work domain', () => {
    expect(validateEmailAddress('alice+x@corp.example.test', rules)).toMatchObject({
      reason: 'corporate',
    });
    expect(validateEmailAddress('team@corp.example.test', rules)).toMatchObject({
      reason: 'corporate',
    });
  });

  it('accepts the work address when configured to', () => {
    const allowing = { ...rules, allowCorporate: true };
    expect(validateEmailAddress('alice@corp.example.test', allowing).ok).toBe(true);
  });

  it('rejects blocked domains and their subdomains', () => {
    expect(validateEmailAddress('x@mailinator.com', rules)).toMatchObject({ reason: 'blocked' });
    expect(validateEmailAddress('x@eu.mailinator.com', rules)).toMatchObject({ reason: 'blocked' });
  });

  it('accepts only allowed domains when a list is set', () => {
    const allowList = { ...rules, allowedDomains: ['example.org'] };
    expect(validateEmailAddress('x@example.org', allowList).ok).toBe(true);
    expect(validateEmailAddress('x@example.net', allowList)).toMatchObject({
      reason: 'not-allowed',
    });
  });
});

describe('sameEmail', () => {
  it('compares the domain without case and IDN-aware', () => {
    expect(sameEmail('alice@EXAMPLE.org', 'alice@example.org')).toBe(true);
    expect(sameEmail('u@bücher.de', 'u@XN--BCHER-KVA.de')).toBe(true);
  });

  it('compares the local part exactly', () => {
    expect(sameEmail('Alice@example.org', 'alice@example.org')).toBe(false);
  });
});

describe('maskEmail', () => {
  it('keeps the first character and the domain', () => {
    expect(maskEmail('alice@example.org')).toBe('a•••@example.org');
    expect(maskEmail('müller@xn--bcher-kva.de')).toBe('m•••@bücher.de');
  });
});

describe('renderMail', () => {
  it('escapes parameters and loads nothing remote', () => {
    const mail = renderMail('en', {
      subjectKey: 'mail.codeSubject',
      bodyKey: 'mail.codeBody',
      params: { code: '<b>123456</b>', minutes: 5 },
    });
    expect(mail.text).toContain('<b>123456</b>');
    expect(mail.html).toContain('&lt;b&gt;123456&lt;/b&gt;');
    expect(mail.html).not.toMatch(/<img|src=|href=|url\(/i);
  });
});
