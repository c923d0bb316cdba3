import type { DirectoryAccount } from '../src/directory/directory.js';
import { end, type FlowContext, type Outcome, text } from '../src/engine/dialog.js';

export type AccountLookup =
  | { readonly ok: true; readonly account: DirectoryAccount }
  | { readonly ok: false; readonly outcome: Outcome };

/**
 * Finds the directory account behind the chat identity and rejects accounts that
 * self-service never serves (disabled, privileged). An identity without an account gets
 * the same neutral reply as one whose account cannot be served.
 */
export async function lookUpAccount(context: FlowContext): Promise<AccountLookup> {
  const name = context.identity.directoryName;
  const account = name ? await context.services.directory.findAccount(name) : undefined;

  if (!account) {
    await context.services.audit.record({
      action: 'account.refused',
      outcome: 'refused',
      chatKey: context.chatKey,
      platform: context.identity.platform,
      reason: 'not-found',
      flow: context.flow,
    });
    return { ok: false, outcome: end([text(context.t('account.notAvailable'))]) };
  }
  if (account.disabled || account.privileged) {
    await context.services.audit.record({
      action: 'account.refused',
      outcome: 'refused',
      chatKey: context.chatKey,
      platform: context.identity.platform,
      accountDn: account.dn,
      sAMAccountName: account.sAMAccountName,
      reason: account.disabled ? 'disabled' : 'privileged',
      flow: context.flow,
    });
    // The same reply as for an unknown identity, so that replies do not reveal which accounts exist.
    return { ok: false, outcome: end([text(context.t('account.notAvailable'))]) };
  }
  return { ok: true, account };
}

/**
 * True when this conversation verified this account recently enough to act on it, and,
 * when `by` is given, with that method.
 */
export function isVerifiedFor(
  context: FlowContext,
  account: DirectoryAccount,
  by?: 'sms' | 'email',
): boolean {
  const verification = context.verification;
  if (!verification || verification.dn !== account.dn) return false;
  if (by !== undefined && verification.by !== by) return false;
  return context.now() - verification.at <= context.config.VERIFICATION_VALID_SECONDS * 1000;
}

/** Fields every audit event of this conversation and account carries. */
export function auditSubject(context: FlowContext, account: DirectoryAccount) {
  return {
    chatKey: context.chatKey,
    platform: context.identity.platform,
    accountDn: account.dn,
    sAMAccountName: account.sAMAccountName,
    flow: context.flow,
  };
}
