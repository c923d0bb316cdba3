import type { DirectoryAccount } from '../src/directory/directory.js';
import type { FlowContext } from '../src/engine/dialog.js';
import { AppError } from '../src/errors/catalog.js';
import { maskEmail } from '../src/mail/email-address.js';
import { renderMail } from '../src/mail/render-mail.js';
import { firstPhone, maskPhone } from '../src/sms/phone-number.js';
import { auditSubject } from './account.js';

export type ChangeKind = 'registered' | 'changed' | 'removed';

/**
 * Tells the account owner, on the corporate mailbox and by SMS, that the secondary e-mail
 * changed, so that a hijacked chat session cannot change it unnoticed. A notice that fails
 * is audited and logged but does not undo the change, which is already stored.
 */
export async function sendChangeNotices(
  context: FlowContext,
  account: DirectoryAccount,
  kind: ChangeKind,
  address: string,
): Promise<void> {
  const action = context.t(`notice.${kind}`);
  const time = new Date(context.now()).toISOString().slice(0, 16).replace('T', ' ');
  const params = { action, time, address: maskEmail(address) };
  const subject = auditSubject(context, account);

  const attempts: Promise<void>[] = [];
  if (account.mail) {
    const mail = renderMail(context.config.LOCALE, {
      subjectKey: 'notice.subject',
      bodyKey: 'notice.body',
      params,
    });
    attempts.push(
      notify(context, subject, 'email', maskEmail(account.mail), () =>
        context.services.mail.send({ to: account.mail as string, ...mail }),
      ),
    );
  }
  const phone = firstPhone(account.phones, context.config.DEFAULT_REGION);
  if (phone !== undefined) {
    attempts.push(
      notify(context, subject, 'sms', maskPhone(phone), () =>
        context.services.sms.send(phone, context.t('notice.sms', params)),
      ),
    );
  }
  await Promise.all(attempts);
}

async function notify(
  context: FlowContext,
  subject: ReturnType<typeof auditSubject>,
  method: 'sms' | 'email',
  destination: string,
  send: () => Promise<unknown>,
): Promise<void> {
  try {
    await send();
    await context.services.audit.record({
      ...subject,
      action: 'notice.sent',
      outcome: 'success',
      method,
      destination,
    });
  } catch (error) {
    const reason = error instanceof AppError ? error.code : 'INTERNAL';
    context.log.error({ err: error, method, code: reason }, 'change notice not sent');
    await context.services.audit.record({
      ...subject,
      action: 'notice.failed',
      outcome: 'failure',
      method,
      destination,
      reason,
    });
  }
}
