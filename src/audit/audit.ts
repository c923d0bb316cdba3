export type AuditAction =
  | 'code.sent'
  | 'code.send_failed'
  | 'verify.succeeded'
  | 'verify.failed'
  | 'verify.phone_mismatch'
  | 'verify.email_mismatch'
  | 'password.reset'
  | 'password.reset_failed'
  | 'account.unlocked'
  | 'account.unlock_failed'
  | 'account.refused'
  | 'email.registered'
  | 'email.changed'
  | 'email.removed'
  | 'email.confirm_failed'
  | 'email.preference_changed'
  | 'notice.sent'
  | 'notice.failed';

export type AuditOutcome = 'success' | 'failure' | 'refused';

/** One security-relevant event. It never contains a code or a password. */
export interface AuditEvent {
  readonly at: Date;
  readonly action: AuditAction;
  readonly outcome: AuditOutcome;
  /** `<platform>:<tenant>:<user>` */
  readonly chatKey: string;
  readonly platform: string;
  readonly accountDn?: string;
  readonly sAMAccountName?: string;
  readonly method?: 'sms' | 'email';
  /** A masked destination, such as `+90*******4567` or `a•••@example.org`. */
  readonly destination?: string;
  /** A stable reason code such as `DIRECTORY_POLICY` or `wrong-code`. */
  readonly reason?: string;
  readonly flow?: string;
}

/** Records audit events. Implementations log each event too, and never throw. */
export interface AuditTrail {
  record(event: Omit<AuditEvent, 'at'>): Promise<void>;
  /** Most recent first. */
  recent(filter: { chatKey?: string; accountDn?: string; limit: number }): Promise<AuditEvent[]>;
}
