import type { DirectoryAccount } from '../src/directory/directory.js';
import {
  type Dialog,
  end,
  type FlowContext,
  goto,
  type Outcome,
  text,
} from '../src/engine/dialog.js';
import type { TurnInput } from '../src/engine/turn.js';
import { maskEmail, validateEmailAddress } from '../src/mail/email-address.js';
import type { Registration, VerificationMethod } from '../src/registrations/registration-store.js';
import { auditSubject, isVerifiedFor, lookUpAccount } from './account.js';
import { sendChangeNotices } from './change-notices.js';
import { codeFailureReply, readCodeInput } from './code-input.js';
import { sendCode } from './send-code.js';

/** The maximum length of a secondary address, in characters (RFC 5321's path limit). */
const MAX_ADDRESS_LENGTH = 254;

const CONFIRM_TARGET = { purpose: 'email-confirm', flow: 'email', step: 'confirm-code' } as const;

/**
 * Registers, changes or removes the secondary e-mail, and sets the default method. Every
 * step needs an SMS verification of this conversation within VERIFICATION_VALID_SECONDS,
 * because that proves the person owns the account.
 */
export const secondaryEmailDialog: Dialog = {
  id: 'email',
  begin: async (context) => {
    const lookup = await lookUpAccount(context);
    if (!lookup.ok) return lookup.outcome;
    if (!isVerifiedFor(context, lookup.account, 'sms')) return needsSms(context);
    return showManage(context, lookup.account);
  },
  steps: {
    manage: (context, input) => guarded(context, (account) => manage(context, account, input)),
    address: (context, input) =>
      guarded(context, (account) => takeAddress(context, account, input)),
    'confirm-code': (context, input) =>
      guarded(context, (account) => confirmCode(context, account, input)),
  },
};

/** Runs a step only while the SMS verification is fresh, and otherwise requests a new one. */
async function guarded(
  context: FlowContext,
  step: (account: DirectoryAccount) => Promise<Outcome>,
): Promise<Outcome> {
  const lookup = await lookUpAccount(context);
  if (!lookup.ok) return lookup.outcome;
  if (!isVerifiedFor(context, lookup.account, 'sms')) return needsSms(context);
  return step(lookup.account);
}

async function needsSms(context: FlowContext): Promise<Outcome> {
  const verify = await context.enter('verify', { purpose: 'email' });
  return { ...verify, replies: [text(context.t('email.needsSms')), ...verify.replies] };
}

async function showManage(context: FlowContext, account: DirectoryAccount): Promise<Outcome> {
  const registration = await context.services.registrations.get(context.chatKey);
  const current = currentAddress(registration, account);
  if (!current || !registration) {
    return goto('email', 'manage', {}, [
      text(context.t('email.menu')),
      context.choices(context.t('email.none'), [
        { value: 'register', label: context.t('email.register') },
        { value: 'cmd:menu', label: context.t('common.back') },
      ]),
    ]);
  }
  const method = methodName(context, registration.preferredMethod);
  const date = (registration.emailVerifiedAt ?? registration.updatedAt).toISOString().slice(0, 10);
  const other = registration.preferredMethod === 'email' ? 'preferSms' : 'preferEmail';
  return goto('email', 'manage', {}, [
    context.choices(context.t('email.current', { address: maskEmail(current), date, method }), [
      { value: 'change', label: context.t('email.change') },
      { value: 'remove', label: context.t('email.remove') },
      { value: other, label: context.t(`email.${other}`) },
      { value: 'cmd:menu', label: context.t('common.back') },
    ]),
  ]);
}

async function manage(
  context: FlowContext,
  account: DirectoryAccount,
  input: TurnInput,
): Promise<Outcome> {
  const choice =
    input.kind === 'choice'
      ? input.value
      : input.kind === 'text'
        ? input.text.trim().toLowerCase()
        : '';
  const registration = await context.services.registrations.get(context.chatKey);
  const current = currentAddress(registration, account);
  if (choice === 'register' || choice === 'change' || choice === 'add') {
    return goto('email', 'address', { change: current !== undefined }, [
      text(context.t('email.ask')),
    ]);
  }
  if (choice === 'remove' && current) return removeAddress(context, account, current);
  if ((choice === 'prefersms' || choice === 'preferSms') && current)
    return setMethod(context, account, 'sms');
  if ((choice === 'preferemail' || choice === 'preferEmail') && current)
    return setMethod(context, account, 'email');
  return showManage(context, account);
}

async function takeAddress(
  context: FlowContext,
  account: DirectoryAccount,
  input: TurnInput,
): Promise<Outcome> {
  if (input.kind !== 'text')
    return goto('email', 'address', context.data, [text(context.t('email.ask'))]);
  const checked = validateEmailAddress(input.text, {
    maxLength: MAX_ADDRESS_LENGTH,
    allowedDomains: context.config.SECONDARY_EMAIL_ALLOWED_DOMAINS,
    blockedDomains: context.config.SECONDARY_EMAIL_BLOCKED_DOMAINS,
    corporateAddresses: [account.mail, account.userPrincipalName].filter((a) => a !== undefined),
    allowCorporate: context.config.SECONDARY_EMAIL_ALLOW_CORPORATE,
  });
  if (!checked.ok) {
    return goto('email', 'address', context.data, [
      text(rejectionMessage(context, input.text, checked)),
    ]);
  }
  const data = { ...context.data, address: checked.address };
  return sendCode(
    context,
    account,
    { method: 'email', destination: checked.address },
    data,
    CONFIRM_TARGET,
  );
}

function rejectionMessage(
  context: FlowContext,
  typed: string,
  checked: Extract<ReturnType<typeof validateEmailAddress>, { ok: false }>,
): string {
  const shown = typed.trim().slice(0, 80);
  switch (checked.reason) {
    case 'too-long':
      return context.t('email.tooLong', { length: typed.trim().length, max: MAX_ADDRESS_LENGTH });
    case 'corporate':
      return context.t('email.corporate', { address: shown });
    case 'blocked':
      return context.t('email.domainBlocked', { domain: checked.detail });
    case 'not-allowed':
      return context.t('email.domainNotAllowed', {
        domains: context.config.SECONDARY_EMAIL_ALLOWED_DOMAINS.join(', '),
      });
    default:
      return context.t('email.invalid', { reason: context.t(`email.problem.${checked.detail}`) });
  }
}

async function confirmCode(
  context: FlowContext,
  account: DirectoryAccount,
  input: TurnInput,
): Promise<Outcome> {
  const address = String(context.data.address ?? '');
  const entry = readCodeInput(context, input);
  if (entry.kind === 'resend') {
    return sendCode(
      context,
      account,
      { method: 'email', destination: address },
      context.data,
      CONFIRM_TARGET,
    );
  }
  if (entry.kind === 'invalid') return goto('email', 'confirm-code', context.data, [entry.reply]);

  const verified = await context.services.codes.verify(
    context.chatKey,
    'email-confirm',
    entry.code,
  );
  // The code store keeps destinations lower-cased; the address keeps its local part as typed.
  const result: typeof verified =
    verified.ok && verified.destination !== address.toLowerCase()
      ? { ok: false, reason: 'void' }
      : verified;
  const subject = {
    ...auditSubject(context, account),
    method: 'email' as const,
    destination: maskEmail(address),
  };
  if (!result.ok) {
    const reason = result.reason === 'wrong' ? 'wrong-code' : 'void-code';
    await context.services.audit.record({
      ...subject,
      action: 'email.confirm_failed',
      outcome: 'failure',
      reason,
    });
    return goto('email', 'confirm-code', context.data, [codeFailureReply(context, result)]);
  }

  const before = await context.services.registrations.get(context.chatKey);
  const changed = currentAddress(before, account) !== undefined;
  await context.services.registrations.setSecondaryEmail(
    context.chatKey,
    account.dn,
    address,
    new Date(context.now()),
  );
  const action = changed ? 'email.changed' : 'email.registered';
  await context.services.audit.record({ ...subject, action, outcome: 'success' });
  await sendChangeNotices(context, account, changed ? 'changed' : 'registered', address);
  return end([
    text(context.t('email.registered', { address })),
    ...coolingOffNotice(context),
    text(context.t('common.done')),
  ]);
}

async function removeAddress(
  context: FlowContext,
  account: DirectoryAccount,
  current: string,
): Promise<Outcome> {
  await context.services.registrations.removeSecondaryEmail(context.chatKey);
  await context.services.audit.record({
    ...auditSubject(context, account),
    action: 'email.removed',
    outcome: 'success',
    method: 'email',
    destination: maskEmail(current),
  });
  await sendChangeNotices(context, account, 'removed', current);
  return end([text(context.t('email.removed')), text(context.t('common.done'))]);
}

async function setMethod(
  context: FlowContext,
  account: DirectoryAccount,
  method: VerificationMethod,
): Promise<Outcome> {
  await context.services.registrations.setPreferredMethod(context.chatKey, method);
  await context.services.audit.record({
    ...auditSubject(context, account),
    action: 'email.preference_changed',
    outcome: 'success',
    method,
  });
  return end([
    text(context.t('email.preferenceSaved', { method: methodName(context, method) })),
    text(context.t('common.done')),
  ]);
}

function coolingOffNotice(context: FlowContext) {
  const hours = context.config.SECONDARY_EMAIL_COOLING_OFF_HOURS;
  if (hours === 0) return [];
  const time = new Date(context.now() + hours * 3600_000)
    .toISOString()
    .slice(0, 16)
    .replace('T', ' ');
  return [text(context.t('email.coolingOff', { time }))];
}

/** Returns the verified address of this registration, when it belongs to this account. */
function currentAddress(registration: Registration | undefined, account: DirectoryAccount) {
  if (!registration?.secondaryEmail || !registration.emailVerifiedAt) return undefined;
  return registration.accountDn === account.dn ? registration.secondaryEmail : undefined;
}

function methodName(context: FlowContext, method: VerificationMethod): string {
  return context.t(method === 'email' ? 'email.methodEmail' : 'email.methodSms');
}
