import type { MessageKey } from '../i18n/messages.en.js';

export type Severity = 'user' | 'system';

interface CatalogEntry {
  /** Description of the failure for the log, never shown to the user. */
  readonly developerMessage: string;
  /** The catalog message shown to the user. */
  readonly messageKey: MessageKey;
  /** `user` errors log at warn, `system` faults at error. */
  readonly severity: Severity;
}

/**
 * Every error that sspr-bot raises on purpose, by stable code. The user sees only the
 * message behind `messageKey`; the log gets the code, the cause and the context.
 */
export const ERRORS = {
  DIRECTORY_UNAVAILABLE: {
    developerMessage: 'the directory server is unreachable or timed out',
    messageKey: 'error.directoryUnavailable',
    severity: 'system',
  },
  DIRECTORY_POLICY: {
    developerMessage: 'the directory rejected the password under its policy (0000052D)',
    messageKey: 'error.passwordPolicy',
    severity: 'user',
  },
  DIRECTORY_MIN_AGE: {
    developerMessage: 'the password was changed more recently than the minimum password age',
    messageKey: 'error.passwordMinAge',
    severity: 'user',
  },
  DIRECTORY_REJECTED: {
    developerMessage:
      'the directory rejected a password that passed the local checks, without saying why (history or a fine-grained policy)',
    messageKey: 'error.passwordRejected',
    severity: 'user',
  },
  DIRECTORY_HISTORY: {
    developerMessage: 'the directory rejected the password, most likely as a recent password',
    messageKey: 'error.passwordHistory',
    severity: 'user',
  },
  DIRECTORY_INSUFFICIENT_RIGHTS: {
    developerMessage: 'the service account lacks the right for this operation on this account',
    messageKey: 'error.notAllowed',
    severity: 'system',
  },
  DIRECTORY_NO_SUCH_OBJECT: {
    developerMessage: 'the account or base DN does not exist in the directory',
    messageKey: 'error.directoryFailed',
    severity: 'system',
  },
  DIRECTORY_UNWILLING: {
    developerMessage: 'the directory was unwilling to perform the operation',
    messageKey: 'error.directoryFailed',
    severity: 'system',
  },
  DIRECTORY_INSECURE: {
    developerMessage: 'a password write was attempted over an unencrypted connection',
    messageKey: 'error.directoryFailed',
    severity: 'system',
  },
  DIRECTORY_BIND_FAILED: {
    developerMessage:
      'the service account bind was rejected: check LDAP_BIND_DN and LDAP_BIND_PASSWORD',
    messageKey: 'error.directoryUnavailable',
    severity: 'system',
  },
  DIRECTORY_TLS_FAILED: {
    developerMessage:
      'the TLS handshake with the directory failed: check LDAP_CA_FILE and LDAP_TLS_SERVERNAME',
    messageKey: 'error.directoryUnavailable',
    severity: 'system',
  },
  DIRECTORY_FAILED: {
    developerMessage: 'the directory returned an unexpected error',
    messageKey: 'error.directoryFailed',
    severity: 'system',
  },
  RESET_PARTIAL: {
    developerMessage:
      'the password was set and confirmed, but setting must-change at next logon failed',
    messageKey: 'error.resetPartial',
    severity: 'system',
  },
  RESET_NOT_CONFIRMED: {
    developerMessage: 'the directory accepted the reset but reading it back did not confirm it',
    messageKey: 'error.resetNotConfirmed',
    severity: 'system',
  },
  UNLOCK_NOT_CONFIRMED: {
    developerMessage: 'the directory accepted the unlock but lockoutTime read back non-zero',
    messageKey: 'error.unlockNotConfirmed',
    severity: 'system',
  },
  STATE_UNAVAILABLE: {
    developerMessage: 'Redis is unreachable or timed out',
    messageKey: 'error.serviceUnavailable',
    severity: 'system',
  },
  STATE_LOCK_LOST: {
    developerMessage:
      'the conversation lock expired or was taken over before the turn finished, so its state was not saved',
    messageKey: 'error.stateLockLost',
    severity: 'system',
  },
  STATE_INVALID: {
    developerMessage: 'the stored conversation state was not valid flow state JSON and was deleted',
    messageKey: 'error.stateInvalid',
    severity: 'system',
  },
  DATABASE_UNAVAILABLE: {
    developerMessage: 'MongoDB is unreachable or timed out',
    messageKey: 'error.serviceUnavailable',
    severity: 'system',
  },
  DATABASE_FAILED: {
    developerMessage: 'MongoDB rejected or failed the operation',
    messageKey: 'error.internal',
    severity: 'system',
  },
  SMS_INVALID_NUMBER: {
    developerMessage: 'the SMS provider rejected the destination number as invalid',
    messageKey: 'error.smsInvalidNumber',
    severity: 'user',
  },
  SMS_NOT_MOBILE: {
    developerMessage: 'the destination number cannot receive SMS',
    messageKey: 'error.smsNotMobile',
    severity: 'user',
  },
  SMS_REGION_DISABLED: {
    developerMessage: 'the SMS provider account may not send to this region',
    messageKey: 'error.smsRegion',
    severity: 'system',
  },
  SMS_RATE_LIMITED: {
    developerMessage: 'the SMS provider rate-limited the request',
    messageKey: 'error.smsRateLimited',
    severity: 'system',
  },
  SMS_FAILED: {
    developerMessage: 'the SMS provider failed to accept the message',
    messageKey: 'error.smsFailed',
    severity: 'system',
  },
  MAIL_FAILED: {
    developerMessage: 'the SMTP server failed to accept the message',
    messageKey: 'error.mailFailed',
    severity: 'system',
  },
  CODE_SEND_LIMIT: {
    developerMessage: 'the hourly send limit for this account or destination was reached',
    messageKey: 'error.sendLimit',
    severity: 'user',
  },
  CODE_COOLDOWN: {
    developerMessage: 'a code was requested again before the resend cooldown passed',
    messageKey: 'error.cooldown',
    severity: 'user',
  },
  INTERNAL: {
    developerMessage: 'an unexpected error',
    messageKey: 'error.internal',
    severity: 'system',
  },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof ERRORS;

/** An expected failure with a stable code; `params` fill the user message. */
export class AppError extends Error {
  readonly severity: Severity;
  readonly messageKey: MessageKey;

  constructor(
    readonly code: ErrorCode,
    options: { cause?: unknown; detail?: string; params?: Record<string, string | number> } = {},
  ) {
    const entry: CatalogEntry = ERRORS[code];
    super(
      options.detail ? `${entry.developerMessage}: ${options.detail}` : entry.developerMessage,
      {
        cause: options.cause,
      },
    );
    this.name = 'AppError';
    this.severity = entry.severity;
    this.messageKey = entry.messageKey;
    this.params = options.params ?? {};
  }

  readonly params: Record<string, string | number>;
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
