import { createHmac } from 'node:crypto';
import type { DirectoryAccount, DomainPolicy } from '../src/directory/directory.js';
import {
  type Dialog,
  end,
  type FlowContext,
  goto,
  type Outcome,
  text,
} from '../src/engine/dialog.js';
import type { TurnInput } from '../src/engine/turn.js';
import { AppError } from '../src/errors/catalog.js';
import { checkPassword, effectiveMinLength } from '../src/policy/password-policy.js';
import { auditSubject, isVerifiedFor, lookUpAccount } from './account.js';

/**
 * Sets a new password after verification. The password arrives only through a secret
 * form; one typed into the chat is discarded and never used.
 */
export const resetDialog: Dialog = {
  id: 'reset',
  begin: async (context) => {
    const lookup = await lookUpAccount(context);
    if (!lookup.ok) return lookup.outcome;
    if (!isVerifiedFor(context, lookup.account)) {
      return context.enter('verify', { purpose: 'reset' });
    }
    return askPassword(context, lookup.account);
  },
  steps: {
    password: async (context, input) => {
      const lookup = await lookUpAccount(context);
      if (!lookup.ok) return lookup.outcome;
      const account = lookup.account;
      if (!isVerifiedFor(context, account)) return context.enter('verify', { purpose: 'reset' });
      if (input.kind === 'text') {
        const leaked = [...leakedOf(context), fingerprint(context, input.text)].slice(-MAX_LEAKED);
        return {
          ...(await askPassword(context, account, 'reset.typedInChat', undefined, leaked)),
          discardUserMessage: true,
        };
      }
      if (input.kind !== 'form') return askPassword(context, account);
      return submitPassword(context, account, input);
    },
  },
};

async function askPassword(
  context: FlowContext,
  account: DirectoryAccount,
  errorKey?: 'reset.typedInChat',
  error?: string,
  leaked: readonly string[] = leakedOf(context),
): Promise<Outcome> {
  const policy = await context.services.directory.readPolicy();
  const minLength = effectiveMinLength(policy, context.config.PASSWORD_MIN_LENGTH);
  const complexity = policy.complexity ? context.t('reset.complexityRule') : '';
  const form = context.secretForm({
    name: 'new-password',
    text: context.t('reset.ask', { minLength, complexity }),
    title: context.t('reset.formTitle'),
    submitLabel: context.t('reset.submit'),
    openLabel: context.t('reset.openForm'),
    fields: [
      { name: 'newPassword', label: context.t('reset.fieldPassword'), kind: 'password' },
      { name: 'confirmPassword', label: context.t('reset.fieldConfirm'), kind: 'password' },
    ],
    ...(error !== undefined ? { error } : {}),
  });
  const warning = errorKey ? [text(context.t(errorKey))] : [];
  return goto('reset', 'password', { dn: account.dn, leaked }, [...warning, form]);
}

/** How many passwords typed into the chat a flow remembers, as fingerprints. */
const MAX_LEAKED = 5;

function leakedOf(context: FlowContext): readonly string[] {
  const leaked = context.data.leaked;
  return Array.isArray(leaked) ? leaked.filter((entry) => typeof entry === 'string') : [];
}

/**
 * Returns a keyed fingerprint of text typed into the chat at the password step, kept in the flow
 * state so that the form can reject that password. The text itself is never stored.
 */
function fingerprint(context: FlowContext, value: string): string {
  return createHmac('sha256', context.config.CODE_HASH_KEY ?? '')
    .update(`typed-in-chat|${value}`)
    .digest('hex')
    .slice(0, 32);
}

async function submitPassword(
  context: FlowContext,
  account: DirectoryAccount,
  input: Extract<TurnInput, { kind: 'form' }>,
): Promise<Outcome> {
  const password = input.fields.newPassword ?? '';
  const confirmation = input.fields.confirmPassword ?? '';
  if (password === '' || confirmation === '') {
    return askPassword(context, account, undefined, context.t('reset.missing'));
  }
  if (leakedOf(context).includes(fingerprint(context, password))) {
    return askPassword(context, account, undefined, context.t('reset.leaked'));
  }
  if (password !== confirmation) {
    return askPassword(context, account, undefined, context.t('reset.mismatch'));
  }
  const policy = await context.services.directory.readPolicy();
  const violations = checkPassword({
    password,
    sAMAccountName: account.sAMAccountName,
    displayName: account.displayName,
    policy,
    minLength: context.config.PASSWORD_MIN_LENGTH,
    maxLength: context.config.PASSWORD_MAX_LENGTH,
  });
  if (violations.length > 0) {
    const message = violations.map((v) => context.t(v.messageKey, v.params)).join(' ');
    return askPassword(context, account, undefined, message);
  }
  return applyPassword(context, account, password, policy);
}

async function applyPassword(
  context: FlowContext,
  account: DirectoryAccount,
  password: string,
  policy: DomainPolicy,
): Promise<Outcome> {
  const subject = { ...auditSubject(context, account), method: undefined };
  const unlock = context.config.RESET_UNLOCKS_ACCOUNT && account.locked;
  try {
    await context.services.directory.resetPassword(account.dn, password, {
      unlock,
      mustChangeAtNextLogon: context.config.RESET_MUST_CHANGE_AT_NEXT_LOGON,
    });
  } catch (error) {
    if (
      error instanceof AppError &&
      (error.code === 'RESET_NOT_CONFIRMED' || error.code === 'RESET_PARTIAL')
    ) {
      // The password itself may be changed, so this is no failed reset. The user hears what is known.
      context.log.error({ err: error, code: error.code }, 'password reset not fully confirmed');
      await context.services.audit.record({
        ...subject,
        action: 'password.reset',
        outcome: 'failure',
        reason: error.code,
      });
      return end([text(context.t(error.messageKey, error.params))]);
    }
    const refined = refinePolicyError(error, account, policy, context.now());
    const reason = refined instanceof AppError ? refined.code : 'INTERNAL';
    await context.services.audit.record({
      ...subject,
      action: 'password.reset_failed',
      outcome: 'failure',
      reason,
    });
    if (refined instanceof AppError && refined.severity === 'user') {
      return askPassword(
        context,
        account,
        undefined,
        context.t(refined.messageKey, refined.params),
      );
    }
    throw refined;
  }

  await context.services.audit.record({
    ...subject,
    action: 'password.reset',
    outcome: 'success',
    reason: unlock ? 'unlocked' : undefined,
  });
  const replies = [text(context.t(unlock ? 'reset.successUnlocked' : 'reset.success'))];
  if (context.config.RESET_MUST_CHANGE_AT_NEXT_LOGON)
    replies.push(text(context.t('reset.mustChange')));
  return end([...replies, text(context.t('common.done'))]);
}

/**
 * Active Directory rejects most passwords with 0000052D and no reason. The local
 * checks already passed, so the cause is the minimum password age when the last change is
 * younger than it, and otherwise the history or a fine-grained policy that the domain
 * policy does not show. Samba names the reason, and its directory errors arrive specific.
 */
function refinePolicyError(
  error: unknown,
  account: DirectoryAccount,
  policy: DomainPolicy,
  now: number,
): unknown {
  if (!(error instanceof AppError) || error.code !== 'DIRECTORY_POLICY') return error;
  const changed = account.pwdLastSet?.getTime();
  const allowedFrom = changed === undefined ? 0 : changed + policy.minPasswordAgeSeconds * 1000;
  if (policy.minPasswordAgeSeconds > 0 && allowedFrom > now) {
    const time = new Date(allowedFrom).toISOString().slice(0, 16).replace('T', ' ');
    return new AppError('DIRECTORY_MIN_AGE', { cause: error, params: { time } });
  }
  return new AppError('DIRECTORY_REJECTED', {
    cause: error,
    params: { history: policy.historyLength },
  });
}
