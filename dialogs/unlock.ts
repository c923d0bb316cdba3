import { type Dialog, end, type FlowContext, type Outcome, text } from '../src/engine/dialog.js';
import { AppError } from '../src/errors/catalog.js';
import { auditSubject, isVerifiedFor, lookUpAccount } from './account.js';

/**
 * Unlocks the account after verification. It checks the lock first, so that no SMS is
 * spent on an account that is not locked.
 */
export const unlockDialog: Dialog = {
  id: 'unlock',
  begin: async (context) => {
    const lookup = await lookUpAccount(context);
    if (!lookup.ok) return lookup.outcome;
    const account = lookup.account;
    if (!account.locked) return notLocked(context);
    if (!isVerifiedFor(context, account)) return context.enter('verify', { purpose: 'unlock' });
    return unlock(context, account.dn);
  },
  steps: {},
};

async function unlock(context: FlowContext, dn: string): Promise<Outcome> {
  const directory = context.services.directory;
  const account = await directory.readAccount(dn);
  const subject = auditSubject(context, account);
  if (!account.locked) return notLocked(context);
  try {
    await directory.unlock(dn);
  } catch (error) {
    const reason = error instanceof AppError ? error.code : 'INTERNAL';
    await context.services.audit.record({
      ...subject,
      action: 'account.unlock_failed',
      outcome: 'failure',
      reason,
    });
    throw error;
  }
  await context.services.audit.record({
    ...subject,
    action: 'account.unlocked',
    outcome: 'success',
  });
  return end([text(context.t('unlock.success')), text(context.t('common.done'))]);
}

function notLocked(context: FlowContext): Outcome {
  return end([
    context.choices(context.t('unlock.notLocked'), [
      { value: 'menu:reset', label: context.t('menu.reset') },
      { value: 'cmd:menu', label: context.t('common.back') },
    ]),
  ]);
}
