import { createHash } from 'node:crypto';
import { AppError } from '../errors/catalog.js';
import { checkPassword } from '../policy/password-policy.js';
import type {
  Directory,
  DirectoryAccount,
  DomainPolicy,
  ResetOptions,
  ResetOutcome,
} from './directory.js';

/** A demo account. `password` is the starting password; the demo keeps only hashes. */
export interface DemoAccountSeed {
  readonly sAMAccountName: string;
  readonly displayName: string;
  readonly phones: readonly string[];
  readonly password: string;
  readonly disabled?: boolean;
  readonly privileged?: boolean;
  readonly locked?: boolean;
}

interface DemoAccount {
  readonly seed: DemoAccountSeed;
  readonly dn: string;
  readonly upn: string;
  /** Hashes of the current and earlier passwords, newest first. */
  history: string[];
  lockoutTime: number;
  pwdLastSet: number;
}

export const DEMO_DOMAIN = 'demo.example';

/** The accounts the demo starts with; the README lists them. */
export const DEMO_ACCOUNTS: readonly DemoAccountSeed[] = [
  {
    sAMAccountName: 'alice',
    displayName: 'Alice Demir',
    phones: ['+90 532 555 01 01'],
    password: 'Start-Pass-1',
  },
  {
    sAMAccountName: 'bob',
    displayName: 'Bob Kaya',
    phones: ['0532 555 02 02'],
    password: 'Start-Pass-1',
    locked: true,
  },
  {
    sAMAccountName: 'carol',
    displayName: 'Carol Yilmaz',
    phones: [],
    password: 'Start-Pass-1',
    disabled: true,
  },
  {
    sAMAccountName: 'root.admin',
    displayName: 'Root Admin',
    phones: ['+90 532 555 09 09'],
    password: 'Start-Pass-1',
    privileged: true,
  },
  {
    sAMAccountName: 'dan',
    displayName: 'Dan Aydin',
    phones: ['call reception, ext. 12'],
    password: 'Start-Pass-1',
  },
];

const DEMO_POLICY: DomainPolicy = {
  minPasswordLength: 8,
  complexity: true,
  historyLength: 5,
  minPasswordAgeSeconds: 0,
  lockoutThreshold: 5,
  lockoutDurationSeconds: 900,
};

/**
 * An in-process directory that behaves like AD where self-service can tell: length and
 * complexity rules, password history, lockout that lapses after the lockout duration,
 * disabled and privileged accounts. For the demo and fast tests only.
 */
export class DemoDirectory implements Directory {
  private readonly accounts: DemoAccount[];

  constructor(
    seeds: readonly DemoAccountSeed[] = DEMO_ACCOUNTS,
    private readonly now: () => number = Date.now,
  ) {
    this.accounts = seeds.map((seed) => ({
      seed,
      dn: `CN=${seed.displayName},OU=Staff,DC=demo,DC=example`,
      upn: `${seed.sAMAccountName}@${DEMO_DOMAIN}`,
      history: [hash(seed.password)],
      lockoutTime: seed.locked ? now() : 0,
      pwdLastSet: now() - 86_400_000 * 30,
    }));
  }

  async findAccount(name: string): Promise<DirectoryAccount | undefined> {
    const wanted = name.trim().toLowerCase();
    const matches = this.accounts.filter((account) => account.upn === wanted);
    return matches.length === 1 && matches[0] ? this.view(matches[0]) : undefined;
  }

  async readAccount(dn: string): Promise<DirectoryAccount> {
    return this.view(this.byDn(dn));
  }

  async readPolicy(): Promise<DomainPolicy> {
    return DEMO_POLICY;
  }

  async resetPassword(dn: string, password: string, options: ResetOptions): Promise<ResetOutcome> {
    const account = this.byDn(dn);
    const violations = checkPassword({
      password,
      sAMAccountName: account.seed.sAMAccountName,
      displayName: account.seed.displayName,
      policy: DEMO_POLICY,
      minLength: undefined,
      maxLength: 256,
    });
    if (violations.length > 0)
      throw new AppError('DIRECTORY_POLICY', { detail: '0000052D: constraint violation' });
    const hashed = hash(password);
    if (account.history.slice(0, DEMO_POLICY.historyLength).includes(hashed)) {
      throw new AppError('DIRECTORY_HISTORY', { detail: '0000052D: password history' });
    }
    account.history.unshift(hashed);
    account.pwdLastSet = options.mustChangeAtNextLogon ? 0 : this.now();
    const wasLocked = this.isLocked(account);
    if (options.unlock) account.lockoutTime = 0;
    return { pwdLastSet: new Date(account.pwdLastSet), unlocked: options.unlock && wasLocked };
  }

  async unlock(dn: string): Promise<void> {
    this.byDn(dn).lockoutTime = 0;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private byDn(dn: string): DemoAccount {
    const account = this.accounts.find((candidate) => candidate.dn === dn);
    if (!account) throw new AppError('DIRECTORY_NO_SUCH_OBJECT', { detail: dn });
    return account;
  }

  private isLocked(account: DemoAccount): boolean {
    if (account.lockoutTime === 0) return false;
    return this.now() - account.lockoutTime < DEMO_POLICY.lockoutDurationSeconds * 1000;
  }

  private view(account: DemoAccount): DirectoryAccount {
    const locked = this.isLocked(account);
    return {
      dn: account.dn,
      sAMAccountName: account.seed.sAMAccountName,
      userPrincipalName: account.upn,
      mail: account.upn,
      displayName: account.seed.displayName,
      phones: account.seed.phones,
      disabled: account.seed.disabled === true,
      locked,
      lockedAt: locked ? new Date(account.lockoutTime) : undefined,
      pwdLastSet: account.pwdLastSet === 0 ? undefined : new Date(account.pwdLastSet),
      privileged: account.seed.privileged === true,
      groups: account.seed.privileged ? ['Domain Admins'] : ['Domain Users'],
    };
  }
}

function hash(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}
