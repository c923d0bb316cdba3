import { type CountryCode, ParseError, parsePhoneNumberWithError } from 'libphonenumber-js/max';

/** The reason a value is not a usable phone number. Each has a catalog message `phone.problem.<name>`. */
export type PhoneProblem =
  | 'empty'
  | 'too-long'
  | 'letters'
  | 'extension'
  | 'too-short'
  | 'not-a-number'
  | 'invalid-country'
  | 'invalid';

export type ParsedPhone =
  | { readonly ok: true; readonly e164: string }
  | { readonly ok: false; readonly reason: PhoneProblem };

/** Longer than any phone number with spaces and punctuation. */
const MAX_INPUT_LENGTH = 40;
/** Digits, spaces and the punctuation people write numbers with. */
const PHONE_CHARACTERS = /^[+\d\s().\-/]+$/;

/**
 * Reads a phone number as typed by a user or stored in AD and returns it in E.164.
 * Numbers without a country code are read in `region`. With region TR, `+90 532 111 22
 * 33`, `90 532 111 22 33`, `0532 111 22 33` and `532 111 22 33` are the same number.
 * Extensions, letters and numbers that are not valid in their country are refused.
 */
export function normalisePhone(value: string, region: string): ParsedPhone {
  const input = value.normalize('NFKC').trim();
  if (input === '') return { ok: false, reason: 'empty' };
  if (input.length > MAX_INPUT_LENGTH) return { ok: false, reason: 'too-long' };
  if (/(ext|x|#|;)/i.test(input)) return { ok: false, reason: 'extension' };
  if (!PHONE_CHARACTERS.test(input)) return { ok: false, reason: 'letters' };

  const country = region.toUpperCase() as CountryCode;
  for (const candidate of candidates(input)) {
    const parsed = tryParse(candidate, country);
    if (parsed.ok) return parsed;
    if (candidate === input && parsed.reason !== 'invalid') return parsed;
  }
  return { ok: false, reason: 'invalid' };
}

/**
 * Returns the readings to try: as written, then, for a number without `+` or a trunk `0`, as an
 * international number (`90 532 ...`). A national reading that is valid wins.
 */
function candidates(input: string): string[] {
  const digits = input.replace(/\D/g, '');
  if (input.startsWith('+') || input.startsWith('00') || input.startsWith('0')) return [input];
  return [input, `+${digits}`];
}

function tryParse(input: string, country: CountryCode): ParsedPhone {
  try {
    const phone = parsePhoneNumberWithError(input, { defaultCountry: country, extract: false });
    if (phone.ext) return { ok: false, reason: 'extension' };
    if (!phone.isValid()) return { ok: false, reason: 'invalid' };
    return { ok: true, e164: phone.number };
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, reason: problemOf(error.message) };
    return { ok: false, reason: 'invalid' };
  }
}

function problemOf(message: string): PhoneProblem {
  switch (message) {
    case 'INVALID_COUNTRY':
      return 'invalid-country';
    case 'TOO_SHORT':
      return 'too-short';
    case 'TOO_LONG':
      return 'too-long';
    case 'NOT_A_NUMBER':
      return 'not-a-number';
    default:
      return 'invalid';
  }
}

/** Returns the first of `values` that reads as a phone number, in E.164. */
export function firstPhone(values: readonly string[], region: string): string | undefined {
  for (const value of values) {
    const parsed = normalisePhone(value, region);
    if (parsed.ok) return parsed.e164;
  }
  return undefined;
}

/** Returns the last `count` digits of an E.164 number, for "ending in 2233". */
export function lastDigits(e164: string, count: number): string {
  return e164.replace(/\D/g, '').slice(-count);
}

export { maskPhone } from './mask-phone.js';
