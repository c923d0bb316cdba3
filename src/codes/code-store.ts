/** The purpose of a verification code. Codes for one purpose never verify another. */
export type CodePurpose = 'verify' | 'email-confirm';

export interface IssueRequest {
  /** The subject the code belongs to, usually `<platform>:<tenant>:<user>`. */
  readonly subject: string;
  readonly purpose: CodePurpose;
  /** The account key (its DN, lower-cased) for the per-account hourly limit. */
  readonly account: string;
  /** The normalised destination (E.164 number or lower-cased address) for its hourly limit. */
  readonly destination: string;
}

export type IssueResult =
  | { readonly ok: true; readonly code: string; readonly expiresInSeconds: number }
  | { readonly ok: false; readonly reason: 'cooldown'; readonly retryAfterSeconds: number }
  | { readonly ok: false; readonly reason: 'account-limit' | 'destination-limit' };

export type VerifyResult =
  | { readonly ok: true; readonly destination: string }
  | { readonly ok: false; readonly reason: 'wrong'; readonly attemptsLeft: number }
  /** No live code: never issued, expired, consumed, or voided by too many wrong attempts. */
  | { readonly ok: false; readonly reason: 'void' };

/**
 * One-time codes. A code is stored only as a keyed hash with a TTL. Issuing a new code
 * replaces the old one. Verification and consumption are one atomic step, and the code is
 * voided after the configured number of wrong attempts.
 */
export interface CodeStore {
  issue(request: IssueRequest): Promise<IssueResult>;
  verify(subject: string, purpose: CodePurpose, code: string): Promise<VerifyResult>;
  /** Seconds until a new code may be sent, 0 when one may be sent now. */
  cooldownRemaining(subject: string, purpose: CodePurpose): Promise<number>;
  /** Drops any live code, for cancel. */
  discard(subject: string, purpose: CodePurpose): Promise<void>;
}

export interface CodeSettings {
  readonly length: number;
  readonly ttlSeconds: number;
  readonly maxAttempts: number;
  readonly resendCooldownSeconds: number;
  readonly maxSendsPerAccountPerHour: number;
  readonly maxSendsPerDestinationPerHour: number;
  /** Secret for the HMAC that stores codes; at least 32 characters. */
  readonly hashKey: string;
}
