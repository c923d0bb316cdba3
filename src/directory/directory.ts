/** A directory account, with the attributes self-service reads. DNs never reach the chat. */
export interface DirectoryAccount {
  readonly dn: string;
  readonly sAMAccountName: string;
  readonly userPrincipalName: string | undefined;
  readonly mail: string | undefined;
  readonly displayName: string | undefined;
  /** Phone values in the order of the configured phone attributes, as stored in AD. */
  readonly phones: readonly string[];
  readonly disabled: boolean;
  /** True when lockoutTime is set and the domain's lockout window has not yet passed. */
  readonly locked: boolean;
  readonly lockedAt: Date | undefined;
  readonly pwdLastSet: Date | undefined;
  /** adminCount = 1, or member of a configured protected group (direct or nested). */
  readonly privileged: boolean;
  readonly groups: readonly string[];
}

/** The domain password and lockout policy, read from the domain root. */
export interface DomainPolicy {
  readonly minPasswordLength: number;
  readonly complexity: boolean;
  readonly historyLength: number;
  readonly minPasswordAgeSeconds: number;
  readonly lockoutThreshold: number;
  /** 0 means locked until an administrator unlocks. */
  readonly lockoutDurationSeconds: number;
}

export interface ResetOptions {
  readonly unlock: boolean;
  readonly mustChangeAtNextLogon: boolean;
}

export interface ResetOutcome {
  /** pwdLastSet as read back from AD after the write. */
  readonly pwdLastSet: Date | undefined;
  readonly unlocked: boolean;
}

/**
 * Active Directory, as self-service uses it. Implementations raise `AppError` with a
 * `DIRECTORY_*` code for every failure.
 */
export interface Directory {
  /**
   * Finds the one account whose configured identity attributes equal `name`. Returns
   * undefined when none or more than one matches.
   */
  findAccount(name: string): Promise<DirectoryAccount | undefined>;
  /** Re-reads an account by DN, for the current lock and password state. */
  readAccount(dn: string): Promise<DirectoryAccount>;
  readPolicy(): Promise<DomainPolicy>;
  /** Sets the password, then re-reads pwdLastSet and raises RESET_NOT_CONFIRMED unless it moved. */
  resetPassword(dn: string, password: string, options: ResetOptions): Promise<ResetOutcome>;
  unlock(dn: string): Promise<void>;
  /** Checks connectivity and the service account bind. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
