export type VerificationMethod = 'sms' | 'email';

/** The link between one chat identity and its directory account, with e-mail settings. */
export interface Registration {
  /** `<platform>:<tenant>:<user>` */
  readonly chatKey: string;
  readonly accountDn: string;
  readonly secondaryEmail: string | undefined;
  readonly emailVerifiedAt: Date | undefined;
  readonly preferredMethod: VerificationMethod;
  readonly updatedAt: Date;
}

/**
 * Registrations in MongoDB. Every write is an atomic upsert keyed by chatKey, so
 * concurrent writes for one user leave one consistent record. Raises `AppError`
 * DATABASE_UNAVAILABLE when the database cannot be reached.
 */
export interface RegistrationStore {
  get(chatKey: string): Promise<Registration | undefined>;
  /** Records which account a chat identity proved it owns. */
  linkAccount(chatKey: string, accountDn: string): Promise<Registration>;
  setSecondaryEmail(
    chatKey: string,
    accountDn: string,
    email: string,
    verifiedAt: Date,
  ): Promise<Registration>;
  /** Removes the address and resets the preferred method to SMS. */
  removeSecondaryEmail(chatKey: string): Promise<Registration | undefined>;
  setPreferredMethod(
    chatKey: string,
    method: VerificationMethod,
  ): Promise<Registration | undefined>;
  close(): Promise<void>;
}
