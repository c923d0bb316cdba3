import type { CodePurpose } from '../src/codes/code-store.js';
import type { DirectoryAccount } from '../src/directory/directory.js';
import { type FlowContext, type FlowData, goto, type Outcome, text } from '../src/engine/dialog.js';
import { AppError } from '../src/errors/catalog.js';
import { maskEmail } from '../src/mail/email-address.js';
import { renderMail } from '../src/mail/render-mail.js';
import { lastDigits, maskPhone } from '../src/sms/phone-number.js';
import { auditSubject } from './account.js';

export interface Delivery {
  readonly method: 'sms' | 'email';
  /** An E.164 number or an e-mail address. */
  readonly destination: string;
}

/** The purpose of a code, and the step that waits for it. */
export interface CodeTarget {
  readonly purpose: CodePurpose;
  readonly flow: string;
  readonly step: string;
}

const VERIFY_TARGET: CodeTarget = { purpose: 'verify', flow: 'verify', step: 'code' };

/**
 * Issues a verification code and delivers it. The code is discarded when delivery fails,
 * so a code that never arrived cannot be guessed at. Moves the flow to the `code` step.
 */
export async function sendCode(
  context: FlowContext,
  account: DirectoryAccount,
  delivery: Delivery,
  data: FlowData,
  target: CodeTarget = VERIFY_TARGET,
): Promise<Outcome> {
  const { codes, audit } = context.services;
  const issued = await codes.issue({
    subject: context.chatKey,
    purpose: target.purpose,
    account: account.dn.toLowerCase(),
    destination: delivery.destination.toLowerCase(),
  });
  const subject = {
    ...auditSubject(context, account),
    method: delivery.method,
    destination: masked(delivery),
  };
  if (!issued.ok) {
    await audit.record({
      ...subject,
      action: 'code.send_failed',
      outcome: 'refused',
      reason: issued.reason,
    });
    if (issued.reason === 'cooldown') {
      const message = context.t('verify.cooldown', { seconds: issued.retryAfterSeconds });
      return goto(context.flow, context.step, data, [text(message)]);
    }
    throw new AppError('CODE_SEND_LIMIT', { detail: issued.reason });
  }

  const minutes = Math.ceil(issued.expiresInSeconds / 60);
  try {
    await deliver(context, delivery, issued.code, minutes);
  } catch (error) {
    await codes.discard(context.chatKey, target.purpose);
    const reason = error instanceof AppError ? error.code : 'INTERNAL';
    await audit.record({ ...subject, action: 'code.send_failed', outcome: 'failure', reason });
    throw error;
  }
  await audit.record({ ...subject, action: 'code.sent', outcome: 'success' });

  const sent = sentMessage(context, delivery, target, minutes);
  const next = { ...data, method: delivery.method, destination: delivery.destination };
  return goto(target.flow, target.step, next, [
    context.choices(sent, [
      { value: 'resend', label: context.t('verify.resend') },
      { value: 'cmd:cancel', label: context.t('common.cancel') },
    ]),
  ]);
}

function sentMessage(
  context: FlowContext,
  delivery: Delivery,
  target: CodeTarget,
  minutes: number,
): string {
  const length = context.config.CODE_LENGTH;
  const address = maskEmail(delivery.destination);
  if (target.purpose === 'email-confirm') {
    // The user has just typed this address, so it is shown whole for them to check.
    return context.t('email.codeSent', { address: delivery.destination, minutes });
  }
  if (delivery.method === 'email')
    return context.t('verify.codeSentEmail', { length, address, minutes });
  const last4 = lastDigits(delivery.destination, 4);
  return context.t('verify.codeSentSms', { length, last4, minutes });
}

async function deliver(
  context: FlowContext,
  delivery: Delivery,
  code: string,
  minutes: number,
): Promise<void> {
  if (delivery.method === 'sms') {
    await context.services.sms.send(delivery.destination, context.t('sms.code', { code, minutes }));
    return;
  }
  const mail = renderMail(context.config.LOCALE, {
    subjectKey: 'mail.codeSubject',
    bodyKey: 'mail.codeBody',
    params: { code, minutes },
  });
  await context.services.mail.send({ to: delivery.destination, ...mail });
}

export function masked(delivery: Delivery): string {
  return delivery.method === 'sms'
    ? maskPhone(delivery.destination)
    : maskEmail(delivery.destination);
}
