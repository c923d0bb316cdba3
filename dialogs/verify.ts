import type { DirectoryAccount } from '../src/directory/directory.js';
import {
  type Dialog,
  end,
  type FlowContext,
  type FlowData,
  goto,
  type Outcome,
  text,
} from '../src/engine/dialog.js';
import type { TurnInput } from '../src/engine/turn.js';
import { maskEmail, sameEmail } from '../src/mail/email-address.js';
import type { Registration } from '../src/registrations/registration-store.js';
import { firstPhone, lastDigits, normalisePhone } from '../src/sms/phone-number.js';
import { auditSubject, lookUpAccount } from './account.js';
import { codeFailureReply, readCodeInput } from './code-input.js';
import { sendCode } from './send-code.js';

/** The dialog that runs once verification succeeds. */
export type Purpose = 'reset' | 'unlock' | 'email';

/** Wrong full numbers or addresses typed before the flow stops. */
const MAX_MISMATCHES = 3;

/**
 * Proves the chat user owns the account: a one-time code by SMS to the mobile number in
 * AD, or by mail to a verified secondary address. Then it enters the purpose's dialog.
 */
export const verifyDialog: Dialog = {
  id: 'verify',
  begin: async (context, data) => {
    const lookup = await lookUpAccount(context);
    if (!lookup.ok) return lookup.outcome;
    if (await tooManyMismatches(context, lookup.account)) {
      return end([text(context.t('verify.tooManyMismatches'))]);
    }
    const purpose = data.purpose as Purpose;
    const registration = await context.services.registrations.get(context.chatKey);
    const email = usableEmail(context, lookup.account, registration, purpose);
    if (email === undefined) return beginSms(context, lookup.account, purpose);

    const phone = firstPhoneOf(context, lookup.account);
    const byEmail = {
      value: 'email',
      label: context.t('verify.methodEmail', { address: maskEmail(email) }),
    };
    const bySms = phone && {
      value: 'sms',
      label: context.t('verify.methodSms', { last4: lastDigits(phone, 4) }),
    };
    const options = registration?.preferredMethod === 'email' ? [byEmail, bySms] : [bySms, byEmail];
    const choices = options.filter((option) => option !== undefined && option !== '');
    return goto('verify', 'method', { purpose }, [
      context.choices(
        context.t('verify.chooseMethod'),
        choices as { value: string; label: string }[],
      ),
    ]);
  },
  steps: {
    method: async (context, input) => {
      const lookup = await lookUpAccount(context);
      if (!lookup.ok) return lookup.outcome;
      const purpose = context.data.purpose as Purpose;
      const choice = choiceOf(input);
      if (choice === 'email') return beginEmail(context, lookup.account, purpose);
      if (choice === 'sms') return beginSms(context, lookup.account, purpose);
      return verifyDialog.begin(context, { purpose });
    },
    phone: async (context, input) => {
      const lookup = await lookUpAccount(context);
      if (!lookup.ok) return lookup.outcome;
      return checkTypedPhone(context, lookup.account, input);
    },
    'confirm-send': async (context, input) => {
      const lookup = await lookUpAccount(context);
      if (!lookup.ok) return lookup.outcome;
      const phone = firstPhoneOf(context, lookup.account);
      if (choiceOf(input) !== 'send' || phone === undefined) {
        return beginSms(context, lookup.account, context.data.purpose as Purpose);
      }
      return sendCode(context, lookup.account, { method: 'sms', destination: phone }, context.data);
    },
    'email-address': async (context, input) => {
      const lookup = await lookUpAccount(context);
      if (!lookup.ok) return lookup.outcome;
      return checkTypedEmail(context, lookup.account, input);
    },
    code: async (context, input) => {
      const lookup = await lookUpAccount(context);
      if (!lookup.ok) return lookup.outcome;
      return checkCode(context, lookup.account, input);
    },
  },
};

function beginSms(context: FlowContext, account: DirectoryAccount, purpose: Purpose): Outcome {
  const phone = firstPhoneOf(context, account);
  if (phone === undefined) {
    context.log.warn({ phoneCount: account.phones.length }, 'no usable mobile number in directory');
    return end([text(context.t('verify.noPhone'))]);
  }
  const last4 = lastDigits(phone, 4);
  const data = { purpose, method: 'sms', mismatches: 0 };
  if (context.config.VERIFY_REQUIRE_FULL_PHONE) {
    return goto('verify', 'phone', data, [text(context.t('verify.askPhone', { last4 }))]);
  }
  return goto('verify', 'confirm-send', data, [
    context.choices(context.t('verify.confirmPhone', { last4 }), [
      { value: 'send', label: context.t('verify.sendCode') },
      { value: 'cmd:cancel', label: context.t('common.cancel') },
    ]),
  ]);
}

async function beginEmail(
  context: FlowContext,
  account: DirectoryAccount,
  purpose: Purpose,
): Promise<Outcome> {
  const registration = await context.services.registrations.get(context.chatKey);
  const email = usableEmail(context, account, registration, purpose);
  if (email === undefined) return beginSms(context, account, purpose);
  return goto('verify', 'email-address', { purpose, method: 'email', mismatches: 0 }, [
    text(context.t('email.askFull', { masked: maskEmail(email) })),
  ]);
}

async function checkTypedPhone(
  context: FlowContext,
  account: DirectoryAccount,
  input: TurnInput,
): Promise<Outcome> {
  const phone = firstPhoneOf(context, account);
  if (phone === undefined) return end([text(context.t('verify.noPhone'))]);
  if (input.kind !== 'text') return beginSms(context, account, context.data.purpose as Purpose);

  const typed = normalisePhone(input.text, context.config.DEFAULT_REGION);
  if (!typed.ok) {
    // The text is not quoted back, because it may be a password typed in the wrong place.
    const reason = context.t(`phone.problem.${typed.reason}`);
    return goto('verify', 'phone', context.data, [
      text(context.t('verify.phoneInvalid', { reason })),
    ]);
  }
  if (typed.e164 !== phone) return mismatch(context, account, 'sms', 'verify.phoneMismatch');
  return sendCode(context, account, { method: 'sms', destination: phone }, context.data);
}

async function checkTypedEmail(
  context: FlowContext,
  account: DirectoryAccount,
  input: TurnInput,
): Promise<Outcome> {
  const purpose = context.data.purpose as Purpose;
  const registration = await context.services.registrations.get(context.chatKey);
  const email = usableEmail(context, account, registration, purpose);
  if (email === undefined) return beginSms(context, account, purpose);
  if (input.kind !== 'text') return beginEmail(context, account, purpose);

  if (!sameEmail(input.text.trim(), email)) {
    return mismatch(context, account, 'email', 'email.mismatch');
  }
  return sendCode(context, account, { method: 'email', destination: email }, context.data);
}

async function mismatch(
  context: FlowContext,
  account: DirectoryAccount,
  method: 'sms' | 'email',
  messageKey: 'verify.phoneMismatch' | 'email.mismatch',
): Promise<Outcome> {
  const mismatches = Number(context.data.mismatches ?? 0) + 1;
  await context.services.audit.record({
    ...auditSubject(context, account),
    action: method === 'sms' ? 'verify.phone_mismatch' : 'verify.email_mismatch',
    outcome: 'failure',
    method,
    reason: `mismatch-${mismatches}`,
  });
  if (await tooManyMismatches(context, account)) {
    return end([text(context.t(messageKey)), text(context.t('verify.tooManyMismatches'))]);
  }
  if (mismatches >= MAX_MISMATCHES) return end([text(context.t('verify.mismatchFinal'))]);
  return goto('verify', context.step, { ...context.data, mismatches }, [
    text(context.t(messageKey)),
  ]);
}

async function checkCode(
  context: FlowContext,
  account: DirectoryAccount,
  input: TurnInput,
): Promise<Outcome> {
  const destination = String(context.data.destination ?? '');
  const method = context.data.method === 'email' ? 'email' : 'sms';
  const entry = readCodeInput(context, input);
  if (entry.kind === 'resend')
    return sendCode(context, account, { method, destination }, context.data);
  if (entry.kind === 'invalid') return goto('verify', 'code', context.data, [entry.reply]);

  const verified = await context.services.codes.verify(context.chatKey, 'verify', entry.code);
  // A code proves only the destination it went to, so it counts only while that is still
  // this account's number or address (the chat identity may now map to another account).
  const current = verified.ok ? await currentDestination(context, account, method) : undefined;
  const result: typeof verified =
    verified.ok && verified.destination !== current?.toLowerCase()
      ? { ok: false, reason: 'void' }
      : verified;
  const subject = { ...auditSubject(context, account), method } as const;
  if (result.ok) {
    await context.services.audit.record({
      ...subject,
      action: 'verify.succeeded',
      outcome: 'success',
    });
    await context.services.registrations.linkAccount(context.chatKey, account.dn);
    return context.enter(
      String(context.data.purpose),
      {},
      { verified: { dn: account.dn, by: method } },
    );
  }
  const reason = result.reason === 'wrong' ? 'wrong-code' : 'void-code';
  await context.services.audit.record({
    ...subject,
    action: 'verify.failed',
    outcome: 'failure',
    reason,
  });
  return goto('verify', 'code', context.data, [codeFailureReply(context, result)]);
}

/**
 * Counts the wrong numbers and addresses typed for this account in the last hour, in every
 * conversation, from the audit trail, so that starting over does not reset the count.
 */
async function tooManyMismatches(
  context: FlowContext,
  account: DirectoryAccount,
): Promise<boolean> {
  const limit = context.config.VERIFY_MAX_MISMATCHES_PER_HOUR;
  const since = context.now() - 3_600_000;
  const events = await context.services.audit.recent({ accountDn: account.dn, limit: limit * 20 });
  const mismatches = events.filter(
    (event) =>
      (event.action === 'verify.phone_mismatch' || event.action === 'verify.email_mismatch') &&
      event.at.getTime() >= since,
  );
  return mismatches.length >= limit;
}

async function currentDestination(
  context: FlowContext,
  account: DirectoryAccount,
  method: 'sms' | 'email',
): Promise<string | undefined> {
  if (method === 'sms') return firstPhoneOf(context, account);
  const registration = await context.services.registrations.get(context.chatKey);
  return usableEmail(context, account, registration, context.data.purpose as Purpose);
}

/** Returns the account's first phone attribute value that reads as a number, in E.164. */
function firstPhoneOf(context: FlowContext, account: DirectoryAccount): string | undefined {
  return firstPhone(account.phones, context.config.DEFAULT_REGION);
}

/**
 * Returns the secondary address that may carry a code now: verified, registered by this chat
 * user for this account, past any cooling-off period, and never for changing itself.
 */
export function usableEmail(
  context: FlowContext,
  account: DirectoryAccount,
  registration: Registration | undefined,
  purpose: Purpose,
): string | undefined {
  if (purpose === 'email' || !context.config.SECONDARY_EMAIL_ENABLED) return undefined;
  if (!registration?.secondaryEmail || !registration.emailVerifiedAt) return undefined;
  if (registration.accountDn !== account.dn) return undefined;
  const coolingOffMs = context.config.SECONDARY_EMAIL_COOLING_OFF_HOURS * 3600_000;
  if (registration.emailVerifiedAt.getTime() + coolingOffMs > context.now()) return undefined;
  return registration.secondaryEmail;
}

function choiceOf(input: TurnInput): string | undefined {
  if (input.kind === 'choice') return input.value;
  if (input.kind === 'text') return input.text.trim().toLowerCase();
  return undefined;
}

export type { FlowData };
