import {
  AndFilter,
  Attribute,
  Change,
  type Client,
  EqualityFilter,
  ExtensibleFilter,
  type Filter,
  OrFilter,
} from 'ldapts';
import type { Env } from '../config/schema.js';
import { AppError } from '../errors/catalog.js';
import type { Logger } from '../log/logger.js';
import type {
  Directory,
  DirectoryAccount,
  DomainPolicy,
  ResetOptions,
  ResetOutcome,
} from './directory.js';
import { LdapConnectionPool, type LdapPoolStats } from './ldap-pool.js';
import { checkSettings, type LdapDirectorySettings, settingsFromConfig } from './ldap-settings.js';
import {
  DOMAIN_PASSWORD_COMPLEX,
  EntryReader,
  encodeUnicodePwd,
  fileTimeToDate,
  firstRdnValue,
  hasControlCharacters,
  intervalToSeconds,
  MATCHING_RULE_IN_CHAIN,
  MAX_ACCOUNT_NAME_LENGTH,
  PolicyHintsControl,
  UF_ACCOUNTDISABLE,
} from './ldap-values.js';

/** The policy and the protected group DNs are re-read after this many milliseconds. */
const CACHE_TTL_MS = 60_000;

const POLICY_ATTRIBUTES = [
  'minPwdLength',
  'pwdProperties',
  'pwdHistoryLength',
  'minPwdAge',
  'lockoutThreshold',
  'lockoutDuration',
];

const ACCOUNT_ATTRIBUTES = [
  'sAMAccountName',
  'userPrincipalName',
  'mail',
  'displayName',
  'userAccountControl',
  'lockoutTime',
  'pwdLastSet',
  'adminCount',
  'memberOf',
];

/** The state a reset compares before and after its write. */
interface PasswordState {
  readonly pwdLastSet: bigint;
  readonly lockoutTime: bigint;
}

interface Cached<T> {
  readonly value: T;
  readonly expires: number;
}

/**
 * Active Directory over LDAPS or StartTLS through a pool of connections bound as a
 * least-privilege service account.
 */
export class LdapDirectory implements Directory {
  private readonly pool: LdapConnectionPool;
  private readonly attributes: string[];
  private policyCache: Cached<DomainPolicy> | undefined;
  private groupCache: Cached<string[]> | undefined;

  static fromConfig(config: Readonly<Env>, logger: Logger): LdapDirectory {
    return new LdapDirectory(settingsFromConfig(config), logger);
  }

  /** Raises ConfigError, listing every problem, when the settings cannot work. */
  constructor(
    private readonly settings: LdapDirectorySettings,
    private readonly logger: Logger,
  ) {
    const tlsOptions = checkSettings(settings);
    this.attributes = [...ACCOUNT_ATTRIBUTES, ...settings.phoneAttributes];
    this.pool = new LdapConnectionPool(
      {
        url: settings.url,
        startTls: settings.startTls,
        tls: tlsOptions,
        bindDn: settings.bindDn,
        bindPassword: settings.bindPassword,
        size: settings.poolSize,
        connectTimeoutMs: settings.connectTimeoutMs,
        timeoutMs: settings.timeoutMs,
      },
      logger,
    );
  }

  /** Pool counters: connections opened so far, idle and busy. */
  poolStats(): LdapPoolStats {
    return this.pool.stats();
  }

  async findAccount(name: string): Promise<DirectoryAccount | undefined> {
    if (!isSearchableName(name)) {
      this.logger.warn(
        { length: name.length },
        'account lookup skipped: name is empty, too long or has control characters',
      );
      return undefined;
    }
    const filter = userFilter(
      new OrFilter({
        filters: this.settings.identityAttributes.map(
          (attribute) => new EqualityFilter({ attribute, value: name }),
        ),
      }),
    );
    const entries = await this.pool.run(
      'find account',
      async (client) => {
        const result = await client.search(this.settings.baseDn, {
          scope: 'sub',
          filter,
          attributes: this.attributes,
          sizeLimit: 2,
        });
        return result.searchEntries;
      },
      { idempotent: true },
    );
    if (entries.length > 1) {
      this.logger.warn(
        { matches: entries.length },
        'account lookup is ambiguous: more than one account matches',
      );
      return undefined;
    }
    const entry = entries[0];
    return entry ? this.toAccount(new EntryReader(entry)) : undefined;
  }

  async readAccount(dn: string): Promise<DirectoryAccount> {
    return this.toAccount(await this.readEntry(dn, this.attributes));
  }

  async readPolicy(): Promise<DomainPolicy> {
    if (this.policyCache && this.policyCache.expires > Date.now()) return this.policyCache.value;
    const root = await this.readDomainRoot();
    const policy: DomainPolicy = {
      minPasswordLength: Number(root.integer('minPwdLength') ?? 0n),
      complexity: (Number(root.integer('pwdProperties') ?? 0n) & DOMAIN_PASSWORD_COMPLEX) !== 0,
      historyLength: Number(root.integer('pwdHistoryLength') ?? 0n),
      minPasswordAgeSeconds: intervalToSeconds(root.integer('minPwdAge')),
      lockoutThreshold: Number(root.integer('lockoutThreshold') ?? 0n),
      lockoutDurationSeconds: intervalToSeconds(root.integer('lockoutDuration')),
    };
    this.policyCache = { value: policy, expires: Date.now() + CACHE_TTL_MS };
    return policy;
  }

  async resetPassword(dn: string, password: string, options: ResetOptions): Promise<ResetOutcome> {
    if (typeof password !== 'string' || password.length === 0) {
      throw new AppError('DIRECTORY_POLICY', { detail: 'the new password is empty' });
    }
    const policy = await this.readPolicy();
    const beforeState = await this.readPasswordState(dn);
    const unlocked =
      options.unlock && isLocked(beforeState.lockoutTime, policy.lockoutDurationSeconds);

    const changes = [replace('unicodePwd', encodeUnicodePwd(password))];
    if (options.unlock) changes.push(replace('lockoutTime', '0'));
    await this.write(`reset ${dn}`, dn, changes, [new PolicyHintsControl()]);

    // From here on the password may already be changed, so every failure reports that.
    const afterState = await this.readPasswordState(dn).catch((error: unknown) => {
      throw new AppError('RESET_NOT_CONFIRMED', {
        cause: error,
        detail: `read-back failed on ${dn}`,
      });
    });
    if (afterState.pwdLastSet <= beforeState.pwdLastSet) {
      throw new AppError('RESET_NOT_CONFIRMED', { detail: `pwdLastSet did not move on ${dn}` });
    }
    if (options.unlock && afterState.lockoutTime !== 0n) {
      throw new AppError('RESET_NOT_CONFIRMED', { detail: `lockoutTime is still set on ${dn}` });
    }
    this.logger.info({ dn, unlock: options.unlock }, 'password reset confirmed');

    if (!options.mustChangeAtNextLogon) {
      return { pwdLastSet: fileTimeToDate(afterState.pwdLastSet), unlocked };
    }
    // A separate write, so that the first read-back can confirm the reset by a moving
    // pwdLastSet even when the account already had to change its password.
    try {
      await this.write(`set must-change on ${dn}`, dn, [replace('pwdLastSet', '0')], []);
    } catch (error) {
      const detail = `the password was set on ${dn}, but setting must-change at next logon failed`;
      throw new AppError('RESET_PARTIAL', { cause: error, detail });
    }
    const finalState = await this.readPasswordState(dn).catch((error: unknown) => {
      throw new AppError('RESET_PARTIAL', {
        cause: error,
        detail: `must-change read-back failed on ${dn}`,
      });
    });
    if (finalState.pwdLastSet !== 0n) {
      throw new AppError('RESET_PARTIAL', {
        detail: `the password was set, but pwdLastSet did not read back as 0 on ${dn}`,
      });
    }
    return { pwdLastSet: undefined, unlocked };
  }

  async unlock(dn: string): Promise<void> {
    await this.write(`unlock ${dn}`, dn, [replace('lockoutTime', '0')], []);
    const state = await this.readPasswordState(dn);
    if (state.lockoutTime !== 0n) {
      throw new AppError('UNLOCK_NOT_CONFIRMED', { detail: `lockoutTime is still set on ${dn}` });
    }
    this.logger.info({ dn }, 'account unlock confirmed');
  }

  async ping(): Promise<void> {
    const found = await this.pool.run(
      'read root DSE',
      async (client) => {
        const result = await client.search('', {
          scope: 'base',
          attributes: ['defaultNamingContext'],
        });
        return result.searchEntries.length;
      },
      { idempotent: true },
    );
    if (found !== 1) {
      throw new AppError('DIRECTORY_FAILED', { detail: 'the root DSE returned no entry' });
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async toAccount(entry: EntryReader): Promise<DirectoryAccount> {
    const dn = entry.entry.dn;
    const policy = await this.readPolicy();
    const lockoutTime = entry.integer('lockoutTime') ?? 0n;
    const locked = isLocked(lockoutTime, policy.lockoutDurationSeconds);
    const memberOf = entry.all('memberOf');
    const adminCount = entry.integer('adminCount') === 1n;
    return {
      dn,
      sAMAccountName: entry.first('sAMAccountName') ?? '',
      userPrincipalName: entry.first('userPrincipalName'),
      mail: entry.first('mail'),
      displayName: entry.first('displayName'),
      phones: this.settings.phoneAttributes.flatMap((name) =>
        entry
          .all(name)
          .map((value) => value.trim())
          .filter((value) => value.length > 0),
      ),
      disabled: (Number(entry.integer('userAccountControl') ?? 0n) & UF_ACCOUNTDISABLE) !== 0,
      locked,
      lockedAt: locked ? fileTimeToDate(lockoutTime) : undefined,
      pwdLastSet: fileTimeToDate(entry.integer('pwdLastSet')),
      privileged: adminCount || (await this.isInProtectedGroup(dn)),
      groups: memberOf.map(firstRdnValue),
    };
  }

  /**
   * True when the account is a direct or nested member of a protected group.
   * NOTE: membership through primaryGroupID alone is not in memberOf and is not matched here;
   * on Windows AD such accounts normally carry adminCount = 1, which is checked separately.
   */
  private async isInProtectedGroup(dn: string): Promise<boolean> {
    const groups = await this.protectedGroupDns();
    if (groups.length === 0) return false;
    const filter = new OrFilter({
      filters: groups.map(
        (group) =>
          new ExtensibleFilter({
            matchType: 'memberOf',
            rule: MATCHING_RULE_IN_CHAIN,
            value: group,
          }),
      ),
    });
    const count = await this.pool.run(
      `check protected groups for ${dn}`,
      async (client) => {
        const result = await client.search(dn, { scope: 'base', filter, attributes: ['1.1'] });
        return result.searchEntries.length;
      },
      { idempotent: true },
    );
    return count > 0;
  }

  /** Resolves the configured protected groups to DNs. Names that match nothing are logged. */
  private async protectedGroupDns(): Promise<string[]> {
    if (this.groupCache && this.groupCache.expires > Date.now()) return this.groupCache.value;
    const configured = this.settings.protectedGroups;
    const dns = configured.filter(looksLikeDn);
    const names = configured.filter((group) => !looksLikeDn(group));
    if (names.length > 0) {
      const found = await this.findGroups(names);
      dns.push(...found.map((group) => group.dn));
      const foundNames = new Set(found.map((group) => group.name.toLowerCase()));
      const unknown = names.filter((name) => !foundNames.has(name.toLowerCase()));
      if (unknown.length > 0) {
        this.logger.warn({ groups: unknown }, 'protected groups not found in the directory');
      }
    }
    this.groupCache = { value: dns, expires: Date.now() + CACHE_TTL_MS };
    return dns;
  }

  private findGroups(names: readonly string[]): Promise<{ dn: string; name: string }[]> {
    const filter = new AndFilter({
      filters: [
        new EqualityFilter({ attribute: 'objectClass', value: 'group' }),
        new OrFilter({
          filters: names.map(
            (name) => new EqualityFilter({ attribute: 'sAMAccountName', value: name }),
          ),
        }),
      ],
    });
    return this.pool.run(
      'resolve protected groups',
      async (client) => {
        const result = await client.search(this.settings.baseDn, {
          scope: 'sub',
          filter,
          attributes: ['sAMAccountName'],
        });
        return result.searchEntries.map((entry) => ({
          dn: entry.dn,
          name: new EntryReader(entry).first('sAMAccountName') ?? '',
        }));
      },
      { idempotent: true },
    );
  }

  private async readPasswordState(dn: string): Promise<PasswordState> {
    const entry = await this.readEntry(dn, ['pwdLastSet', 'lockoutTime']);
    return {
      pwdLastSet: entry.integer('pwdLastSet') ?? 0n,
      lockoutTime: entry.integer('lockoutTime') ?? 0n,
    };
  }

  private async readEntry(dn: string, attributes: string[]): Promise<EntryReader> {
    if (hasControlCharacters(dn)) {
      throw new AppError('DIRECTORY_NO_SUCH_OBJECT', {
        detail: 'the DN contains control characters',
      });
    }
    const entries = await this.pool.run(
      `read ${dn}`,
      async (client) => {
        const result = await client.search(dn, {
          scope: 'base',
          filter: userFilter(),
          attributes,
        });
        return result.searchEntries;
      },
      { idempotent: true },
    );
    const entry = entries[0];
    if (!entry)
      throw new AppError('DIRECTORY_NO_SUCH_OBJECT', {
        detail: `${dn} was not found or is not a user account`,
      });
    return new EntryReader(entry);
  }

  private readDomainRoot(): Promise<EntryReader> {
    return this.pool.run(
      'read domain policy',
      async (client) => {
        const result = await client.search(this.settings.baseDn, {
          scope: 'base',
          attributes: POLICY_ATTRIBUTES,
        });
        const entry = result.searchEntries[0];
        if (!entry) {
          throw new AppError('DIRECTORY_NO_SUCH_OBJECT', {
            detail: `${this.settings.baseDn} returned no entry`,
          });
        }
        return new EntryReader(entry);
      },
      { idempotent: true },
    );
  }

  /**
   * Sends a modify that is never retried once sent. `description` goes into errors and
   * logs, so it names the DN and never a value.
   */
  private write(
    description: string,
    dn: string,
    changes: Change[],
    controls: PolicyHintsControl[],
  ): Promise<void> {
    return this.pool.run(description, (client: Client) => client.modify(dn, changes, controls), {
      idempotent: false,
    });
  }
}

function replace(type: string, value: string | Buffer): Change {
  return new Change({
    operation: 'replace',
    modification: new Attribute({ type, values: Buffer.isBuffer(value) ? [value] : [value] }),
  });
}

/** Restricts a filter to user accounts: objectCategory person and objectClass user. */
function userFilter(inner?: Filter): Filter {
  const filters: Filter[] = [
    new EqualityFilter({ attribute: 'objectCategory', value: 'person' }),
    new EqualityFilter({ attribute: 'objectClass', value: 'user' }),
  ];
  if (inner) filters.push(inner);
  return new AndFilter({ filters });
}

function isSearchableName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name.trim().length > 0 &&
    name.length <= MAX_ACCOUNT_NAME_LENGTH &&
    !hasControlCharacters(name)
  );
}

/**
 * AD keeps lockoutTime after the lockout window ends and clears it only at the next
 * successful logon or an unlock, so the window is compared here. A duration of 0 locks
 * until an administrator unlocks.
 * NOTE: fine-grained password policies (PSOs) with their own lockout duration are not read.
 */
function isLocked(lockoutTime: bigint, lockoutDurationSeconds: number): boolean {
  const lockedAt = fileTimeToDate(lockoutTime);
  if (lockedAt === undefined) return false;
  if (lockoutDurationSeconds === 0) return true;
  return Date.now() < lockedAt.getTime() + lockoutDurationSeconds * 1000;
}

function looksLikeDn(group: string): boolean {
  return /^[A-Za-z][A-Za-z0-9-]*=.+,/.test(group);
}
