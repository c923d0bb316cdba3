import type { AuditTrail } from '../audit/audit.js';
import type { CodeStore } from '../codes/code-store.js';
import type { Directory } from '../directory/directory.js';
import type { MailSender } from '../mail/mail-sender.js';
import type { RegistrationStore } from '../registrations/registration-store.js';
import type { SmsSender } from '../sms/sms-sender.js';
import type { StateStore } from './state-store.js';

/** The domain services that dialogs are given. */
export interface Services {
  readonly directory: Directory;
  readonly codes: CodeStore;
  readonly state: StateStore;
  readonly sms: SmsSender;
  readonly mail: MailSender;
  readonly registrations: RegistrationStore;
  readonly audit: AuditTrail;
}
