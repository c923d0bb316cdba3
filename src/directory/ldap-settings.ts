import { readFileSync } from 'node:fs';
import type * as tls from 'node:tls';
import { ConfigError } from '../config/load.js';
import type { Env } from '../config/schema.js';
import { ATTRIBUTE_NAME } from './ldap-values.js';

/** Settings for LdapDirectory, one field per LDAP_* variable. */
export interface LdapDirectorySettings {
  /** ldaps://host:636, or ldap://host:389 together with `startTls`. */
  readonly url: string;
  readonly startTls: boolean;
  /** PEM file with the CA that issued the DC certificate. Unset: the system CA store. */
  readonly caFile?: string | undefined;
  /** Host name to verify the certificate against, when the URL uses an IP address. */
  readonly tlsServerName?: string | undefined;
  readonly bindDn: string;
  readonly bindPassword: string;
  /** Users are searched below this DN. */
  readonly baseDn: string;
  /** Attributes compared with the chat identity, for example userPrincipalName and mail. */
  readonly identityAttributes: readonly string[];
  /** Attributes read as phone numbers, in order of preference. */
  readonly phoneAttributes: readonly string[];
  /** Group names (sAMAccountName) or DNs whose members, direct or nested, are privileged. */
  readonly protectedGroups: readonly string[];
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
}

/** Maps the LDAP_* variables to settings, raising ConfigError for each one that is missing. */
export function settingsFromConfig(config: Readonly<Env>): LdapDirectorySettings {
  const required = ['LDAP_URL', 'LDAP_BIND_DN', 'LDAP_BIND_PASSWORD', 'LDAP_BASE_DN'] as const;
  const missing = required
    .filter((name) => config[name] === undefined)
    .map((name) => `${name} is missing: the directory needs it`);
  if (missing.length > 0) throw new ConfigError(missing);
  return {
    url: config.LDAP_URL as string,
    startTls: config.LDAP_STARTTLS,
    caFile: config.LDAP_CA_FILE,
    tlsServerName: config.LDAP_TLS_SERVERNAME,
    bindDn: config.LDAP_BIND_DN as string,
    bindPassword: config.LDAP_BIND_PASSWORD as string,
    baseDn: config.LDAP_BASE_DN as string,
    identityAttributes: config.LDAP_IDENTITY_ATTRIBUTES,
    phoneAttributes: config.LDAP_PHONE_ATTRIBUTES,
    protectedGroups: config.LDAP_PROTECTED_GROUPS,
    poolSize: config.LDAP_POOL_SIZE,
    connectTimeoutMs: config.LDAP_CONNECT_TIMEOUT_MS,
    timeoutMs: config.LDAP_TIMEOUT_MS,
  };
}

/** Validates the settings and builds the TLS options, raising ConfigError on any problem. */
export function checkSettings(settings: LdapDirectorySettings): tls.ConnectionOptions {
  const problems: string[] = [];
  let protocol = '';
  try {
    protocol = new URL(settings.url).protocol;
  } catch {
    problems.push(`LDAP_URL=${JSON.stringify(settings.url)} is not a URL: use ldaps://host:636`);
  }
  if (protocol !== '' && protocol !== 'ldaps:' && protocol !== 'ldap:') {
    problems.push(`LDAP_URL=${JSON.stringify(settings.url)} must start with ldaps:// or ldap://`);
  }
  if (protocol === 'ldap:' && !settings.startTls) {
    problems.push(
      `LDAP_URL=${JSON.stringify(settings.url)} is plain LDAP: use ldaps:// or set LDAP_STARTTLS=true, because passwords are never sent over an unencrypted connection`,
    );
  }
  if (protocol === 'ldaps:' && settings.startTls) {
    problems.push('LDAP_STARTTLS=true needs an ldap:// URL: LDAPS is already encrypted');
  }
  const attributeLists = {
    LDAP_IDENTITY_ATTRIBUTES: settings.identityAttributes,
    LDAP_PHONE_ATTRIBUTES: settings.phoneAttributes,
  };
  for (const [name, list] of Object.entries(attributeLists)) {
    if (list.length === 0) problems.push(`${name} is empty: list at least one attribute`);
    const invalid = list.filter((attribute) => !ATTRIBUTE_NAME.test(attribute));
    if (invalid.length > 0) {
      problems.push(
        `${name} has invalid attribute names ${JSON.stringify(invalid)}: use names such as mail`,
      );
    }
  }

  const options: tls.ConnectionOptions = { rejectUnauthorized: true };
  if (settings.tlsServerName) options.servername = settings.tlsServerName;
  if (settings.caFile) {
    try {
      options.ca = [readFileSync(settings.caFile)];
    } catch (error) {
      problems.push(
        `LDAP_CA_FILE=${JSON.stringify(settings.caFile)} cannot be read: ${(error as Error).message}`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return options;
}
