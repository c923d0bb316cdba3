import { domainToASCII, domainToUnicode } from 'node:url';
import validator from 'validator';

/** The reason an address was rejected. For `invalid`, the detail is an `EmailProblem`. */
export type EmailRejection =
  | { readonly ok: false; readonly reason: 'too-long'; readonly detail: string }
  | { readonly ok: false; readonly reason: 'invalid'; readonly detail: EmailProblem }
  | { readonly ok: false; readonly reason: 'corporate'; readonly detail: string }
  | { readonly ok: false; readonly reason: 'blocked' | 'not-allowed'; readonly detail: string };

/** Each has a catalog message `email.problem.<name>`. */
export type EmailProblem =
  | 'empty'
  | 'no-at'
  | 'spaces'
  | 'bad-domain'
  | 'local-too-long'
  | 'syntax';

export type EmailCheck = { readonly ok: true; readonly address: string } | EmailRejection;

export interface EmailRules {
  readonly maxLength: number;
  /** When not empty, only these domains (and their subdomains) are accepted. */
  readonly allowedDomains: readonly string[];
  readonly blockedDomains: readonly string[];
  /**
   * The user's own work addresses (mail, UPN). Unless `allowCorporate`, any address at
   * their domains is rejected, because plus-addresses and aliases reach the same mailbox.
   */
  readonly corporateAddresses: readonly string[];
  readonly allowCorporate: boolean;
}

/**
 * Checks an address a user typed as their secondary e-mail. Internationalised addresses
 * (a Unicode local part, an IDN domain) are accepted. The returned address keeps the
 * local part as typed and the domain in lower-case Unicode.
 */
export function validateEmailAddress(value: string, rules: EmailRules): EmailCheck {
  const typed = value.normalize('NFC').trim();
  if (typed === '') return { ok: false, reason: 'invalid', detail: 'empty' };
  if (typed.length > rules.maxLength)
    return { ok: false, reason: 'too-long', detail: String(typed.length) };
  if (/\s/.test(typed)) return { ok: false, reason: 'invalid', detail: 'spaces' };
  // Invisible and direction-changing characters make an address look like another one.
  if (/[\p{Cf}\p{Cc}]/u.test(typed)) return { ok: false, reason: 'invalid', detail: 'syntax' };
  const at = typed.lastIndexOf('@');
  if (at <= 0 || at === typed.length - 1) return { ok: false, reason: 'invalid', detail: 'no-at' };

  const local = typed.slice(0, at);
  const domain = unicodeDomain(typed.slice(at + 1));
  const ascii = domainToASCII(domain);
  // A domain needs a dot and a top-level label with a letter, which also rules out IP addresses.
  if (!/\.[a-z0-9-]*[a-z][a-z0-9-]*$/.test(ascii)) {
    return { ok: false, reason: 'invalid', detail: 'bad-domain' };
  }
  // RFC 5321 limits the local part to 64 octets.
  if (Buffer.byteLength(local, 'utf8') > 64) {
    return { ok: false, reason: 'invalid', detail: 'local-too-long' };
  }
  const address = `${local}@${domain}`;
  // Quoted local parts are valid mail syntax, but no mail provider hands them out.
  if (/["<>\\]/.test(local)) return { ok: false, reason: 'invalid', detail: 'syntax' };
  if (
    !validator.isEmail(`${local}@${ascii}`, {
      allow_utf8_local_part: true,
      require_tld: true,
      allow_ip_domain: false,
    })
  ) {
    return { ok: false, reason: 'invalid', detail: 'syntax' };
  }

  if (!rules.allowCorporate && rules.corporateAddresses.some((own) => sameDomain(own, ascii))) {
    return { ok: false, reason: 'corporate', detail: address };
  }
  const blocked = rules.blockedDomains.find((entry) => inDomain(ascii, entry));
  if (blocked !== undefined) return { ok: false, reason: 'blocked', detail: domain };
  if (
    rules.allowedDomains.length > 0 &&
    !rules.allowedDomains.some((entry) => inDomain(ascii, entry))
  ) {
    return { ok: false, reason: 'not-allowed', detail: domain };
  }
  return { ok: true, address };
}

/**
 * True when both are the same mailbox: the local part compared exactly (after Unicode
 * normalisation), the domain case-insensitively and IDN-aware.
 */
export function sameEmail(a: string, b: string): boolean {
  const left = split(a);
  const right = split(b);
  if (left === undefined || right === undefined) return false;
  return (
    left.local === right.local && left.asciiDomain === right.asciiDomain && left.asciiDomain !== ''
  );
}

/** `a•••@example.org`: the first character of the local part and the domain. */
export function maskEmail(address: string): string {
  const parts = split(address);
  if (parts === undefined) return '•••';
  const first = Array.from(parts.local)[0] ?? '';
  return `${first}•••@${domainToUnicode(parts.asciiDomain) || parts.asciiDomain}`;
}

function sameDomain(address: string, asciiDomain: string): boolean {
  return split(address)?.asciiDomain === asciiDomain;
}

function split(address: string): { local: string; asciiDomain: string } | undefined {
  const value = address.normalize('NFC').trim();
  const at = value.lastIndexOf('@');
  if (at <= 0) return undefined;
  return {
    local: value.slice(0, at),
    asciiDomain: domainToASCII(unicodeDomain(value.slice(at + 1))),
  };
}

function unicodeDomain(domain: string): string {
  return domain.normalize('NFKC').toLowerCase().replace(/\.$/, '');
}

function inDomain(asciiDomain: string, entry: string): boolean {
  const listed = domainToASCII(unicodeDomain(entry.replace(/^@/, '')));
  return listed !== '' && (asciiDomain === listed || asciiDomain.endsWith(`.${listed}`));
}
