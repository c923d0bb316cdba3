import type { Logger } from '../log/logger.js';
import type { AuditEvent } from './audit.js';

/** The fields an audit event may carry, besides `at`. Everything else is dropped. */
const ALLOWED_FIELDS = [
  'action',
  'outcome',
  'chatKey',
  'platform',
  'accountDn',
  'sAMAccountName',
  'method',
  'destination',
  'reason',
  'flow',
] as const satisfies readonly (keyof AuditEvent)[];

const ALLOWED = new Set<string>(ALLOWED_FIELDS);

/** Names of unknown fields that suggest a secret, which is logged as a bug in the caller. */
const SECRET_NAME = /pass(word|wd)?|code|otp|pin|token|secret|key|credential/i;

/**
 * Builds the event to store from what a caller passed. Only the allowed fields with string
 * values are kept, so a secret cannot reach the audit trail through a stray field. Each
 * dropped field is logged by name, never with its value: a secret-looking name at error,
 * because it is a bug in the caller, and any other name at warn.
 */
export function buildAuditEvent(
  input: Omit<AuditEvent, 'at'>,
  at: Date,
  logger: Logger,
): AuditEvent {
  const event: Record<string, unknown> = { at };

  for (const [field, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (ALLOWED.has(field) && typeof value === 'string') {
      event[field] = value;
    } else if (SECRET_NAME.test(field)) {
      logger.error(
        { field, action: input.action },
        'audit field dropped: its name suggests a secret',
      );
    } else {
      logger.warn({ field, action: input.action }, 'audit field dropped: not an audit event field');
    }
  }
  return event as unknown as AuditEvent;
}

/** Returns the event's fields for a log line, with `at` as an ISO 8601 string. */
export function auditLogFields(event: AuditEvent): Record<string, string> {
  const fields: Record<string, string> = { at: event.at.toISOString() };
  for (const field of ALLOWED_FIELDS) {
    const value = event[field];
    if (value !== undefined) fields[field] = value;
  }
  return fields;
}
