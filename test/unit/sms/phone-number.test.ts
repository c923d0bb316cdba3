import { describe, expect, it } from 'vitest';
import {
  firstPhone,
  lastDigits,
  maskPhone,
  normalisePhone,
} from '../../../src/sms/phone-number.js';

describe('normalisePhone', () => {
  it.each([
    '+90 532 111 22 33',
    '90 532 111 22 33',
    '0 532 111 22 33',
    '532 111 22 33',
    '0532-111-2233',
    '(0532) 111 22 33',
    '00905321112233',
    '＋９０ ５３２ １１１ ２２ ３３',
  ])('reads %s as the same TR number', (typed) => {
    expect(normalisePhone(typed, 'TR')).toEqual({ ok: true, e164: '+905321112233' });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['+90 532 111 22 33 ext 5', 'extension'],
    ['+90 532 111 22 33 x5', 'extension'],
    ['call me', 'letters'],
    ['5321112233🎉', 'letters'],
    ['*)(mobile=*', 'letters'],
    ['1'.repeat(41), 'too-long'],
    ['12', 'invalid'],
  ])('rejects %j as %s', (typed, reason) => {
    expect(normalisePhone(typed, 'TR')).toEqual({ ok: false, reason });
  });

  it('reads numbers with a country code whatever the region', () => {
    expect(normalisePhone('+1 202 555 0143', 'TR')).toEqual({ ok: true, e164: '+12025550143' });
  });

  it('reads national numbers in the configured region', () => {
    expect(normalisePhone('(202) 555-0143', 'US')).toEqual({ ok: true, e164: '+12025550143' });
  });
});

describe('phone display', () => {
  it('shows the last four digits', () => {
    expect(lastDigits('+905321112233', 4)).toBe('2233');
  });

  it('masks all but the country code and last four digits', () => {
    expect(maskPhone('+905321112233')).toBe('+90*****2233');
  });
});

describe('firstPhone', () => {
  it('skips values that are not phone numbers', () => {
    expect(firstPhone(['call reception, ext. 12', '0532 111 22 33'], 'TR')).toBe('+905321112233');
  });

  it('returns undefined when none reads as a number', () => {
    expect(firstPhone(['n/a', ''], 'TR')).toBeUndefined();
  });
});
