import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Fixed run of asterisks, so that the masked form does not reveal the number's length. */
const HIDDEN = '*****';

/**
 * Masks an E.164 number for logs and the console, keeping the country calling code and
 * the last four digits: `+905321112233` becomes `+90*****2233`.
 */
export function maskPhone(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  if (digits.length < 7) return HIDDEN;

  const countryCode = parsePhoneNumberFromString(`+${digits}`)?.countryCallingCode;
  const prefix = countryCode ?? digits.slice(0, 2);
  return `+${prefix}${HIDDEN}${digits.slice(-4)}`;
}
