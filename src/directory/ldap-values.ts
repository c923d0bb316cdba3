import { BerWriter, Control, type Entry } from 'ldapts';

/** Milliseconds between the FILETIME epoch (1601-01-01) and the Unix epoch (1970-01-01). */
const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;

/** AD stores "never" in interval attributes such as lockoutDuration as the minimum int64. */
const INTERVAL_NEVER = -(2n ** 63n);

/** The userAccountControl bit ACCOUNTDISABLE. */
export const UF_ACCOUNTDISABLE = 0x2;

/** pwdProperties bit DOMAIN_PASSWORD_COMPLEX. */
export const DOMAIN_PASSWORD_COMPLEX = 0x1;

/** LDAP_MATCHING_RULE_IN_CHAIN: matches group membership through nested groups. */
export const MATCHING_RULE_IN_CHAIN = '1.2.840.113556.1.4.1941';

/** Maximum length of an account name that findAccount sends to the directory. */
export const MAX_ACCOUNT_NAME_LENGTH = 256;

/** An LDAP attribute description without options, as RFC 4512 spells a descriptor. */
export const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;

/**
 * LDAP_SERVER_POLICY_HINTS (1.2.840.113556.1.4.2239). With it, Windows Server 2008 R2 and
 * later apply password history and minimum age to an administrative reset as well.
 * It is sent non-critical: Samba 4.17 does not list it in supportedControl, ignores it when
 * non-critical, and returns unavailableCriticalExtension (12) when it is critical.
 */
export class PolicyHintsControl extends Control {
  constructor() {
    super('1.2.840.113556.1.4.2239', { critical: false });
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(1);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }
}

/** Encodes a password the way AD expects in unicodePwd: quoted, then UTF-16LE. */
export function encodeUnicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/** Parses an integer attribute value such as pwdLastSet, or returns undefined. */
export function parseBigInt(value: string | undefined): bigint | undefined {
  if (value === undefined || !/^-?\d+$/.test(value.trim())) return undefined;
  return BigInt(value.trim());
}

/** Converts a FILETIME (100 ns ticks since 1601) to a Date. Zero and negatives mean unset. */
export function fileTimeToDate(fileTime: bigint | undefined): Date | undefined {
  if (fileTime === undefined || fileTime <= 0n) return undefined;
  return new Date(Number(fileTime / 10_000n - FILETIME_EPOCH_OFFSET_MS));
}

/**
 * Converts an AD interval (negative 100 ns ticks, as in lockoutDuration or minPwdAge) to
 * seconds. The "never" value becomes 0, which DomainPolicy reads as "until an administrator
 * acts" for lockoutDuration.
 */
export function intervalToSeconds(interval: bigint | undefined): number {
  if (interval === undefined || interval === INTERVAL_NEVER) return 0;
  const ticks = interval < 0n ? -interval : interval;
  return Number(ticks / 10_000_000n);
}

/**
 * Reads attributes from a search entry by name, ignoring case, because the server returns
 * the schema's spelling (`mobile`) and not necessarily the configured one (`Mobile`).
 */
export class EntryReader {
  private readonly values = new Map<string, string[]>();

  constructor(readonly entry: Entry) {
    for (const [name, value] of Object.entries(entry)) {
      if (name === 'dn') continue;
      const list = Array.isArray(value) ? value : [value];
      const strings = list.map((item) => (Buffer.isBuffer(item) ? item.toString('utf8') : item));
      this.values.set(name.toLowerCase(), strings);
    }
  }

  all(name: string): string[] {
    return this.values.get(name.toLowerCase()) ?? [];
  }

  first(name: string): string | undefined {
    return this.all(name)[0];
  }

  integer(name: string): bigint | undefined {
    return parseBigInt(this.first(name));
  }
}

/** Returns the value of a DN's first RDN (`Domain Admins` for `CN=Domain Admins,CN=Users,...`). */
export function firstRdnValue(dn: string): string {
  const bytes: number[] = [];
  let index = dn.indexOf('=') + 1;
  while (index > 0 && index < dn.length) {
    const char = dn[index] ?? '';
    if (char === ',' || char === '+') break;
    const hex = dn.slice(index + 1, index + 3);
    if (char === '\\' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      // A hex pair escapes one byte of the UTF-8 encoding (RFC 4514 section 2.4).
      bytes.push(Number.parseInt(hex, 16));
      index += 3;
    } else if (char === '\\') {
      bytes.push(...Buffer.from(dn[index + 1] ?? '', 'utf8'));
      index += 2;
    } else {
      const codePoint = dn.codePointAt(index) ?? 0;
      const text = String.fromCodePoint(codePoint);
      bytes.push(...Buffer.from(text, 'utf8'));
      index += text.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** True when the text contains a NUL or another C0 or C1 control character. */
export function hasControlCharacters(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}
