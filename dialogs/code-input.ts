import type { VerifyResult } from '../src/codes/code-store.js';
import type { FlowContext } from '../src/engine/dialog.js';
import { text } from '../src/engine/dialog.js';
import type { Reply, TurnInput } from '../src/engine/turn.js';

export type CodeInput =
  | { readonly kind: 'code'; readonly code: string }
  | { readonly kind: 'resend' }
  | { readonly kind: 'invalid'; readonly reply: Reply };

/** Typed words that ask for a new code, including the button's label. */
const RESEND_WORDS = new Set(['resend', 'new code', 'send a new code', 'send new code']);

/**
 * Reads a code from typed text or a code form, ignoring spaces and dashes and accepting
 * full-width digits. An invalid entry is described but never echoed, because it may be a
 * code or a password typed in the wrong place.
 */
export function readCodeInput(context: FlowContext, input: TurnInput): CodeInput {
  if (input.kind === 'choice' && input.value === 'resend') return { kind: 'resend' };
  if (input.kind === 'text' && RESEND_WORDS.has(input.text.trim().toLowerCase())) {
    return { kind: 'resend' };
  }

  const typed = rawCodeOf(input).normalize('NFKC').replace(/[\s-]/g, '');
  const length = context.config.CODE_LENGTH;
  if (new RegExp(`^\\d{${length}}$`).test(typed)) return { kind: 'code', code: typed };

  const problem =
    typed === ''
      ? context.t('code.problem.empty')
      : /\D/.test(typed)
        ? context.t('code.problem.notDigits')
        : context.t('code.problem.length', { digits: typed.length, length });
  return { kind: 'invalid', reply: text(context.t('verify.codeFormat', { length, problem })) };
}

function rawCodeOf(input: TurnInput): string {
  if (input.kind === 'text') return input.text;
  if (input.kind === 'form') return input.fields.code ?? '';
  return '';
}

/** Returns the reply to a wrong or void code, with a resend button. */
export function codeFailureReply(
  context: FlowContext,
  result: Exclude<VerifyResult, { ok: true }>,
): Reply {
  const buttons = [
    { value: 'resend', label: context.t('verify.resend') },
    { value: 'cmd:cancel', label: context.t('common.cancel') },
  ];
  if (result.reason === 'wrong' && result.attemptsLeft > 0) {
    return context.choices(
      context.t('verify.codeWrong', { remaining: result.attemptsLeft }),
      buttons,
    );
  }
  if (result.reason === 'wrong') return context.choices(context.t('verify.codeVoidedNow'), buttons);
  return context.choices(context.t('verify.codeVoid'), buttons);
}
