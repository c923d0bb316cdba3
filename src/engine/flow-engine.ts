import { randomBytes } from 'node:crypto';
import type { Env } from '../config/schema.js';
import { AppError } from '../errors/catalog.js';
import { type Locale, type MessageKey, type MessageParams, translate } from '../i18n/translate.js';
import type { Logger } from '../log/logger.js';
import type { Dialog, FlowContext, FlowData, Outcome, ProvedAccount } from './dialog.js';
import { classifyText, type GlobalCommand } from './global-commands.js';
import type { Services } from './services.js';
import type { FlowState } from './state-store.js';
import type { Reply, Turn, TurnHandler, TurnInput, TurnResult } from './turn.js';

/** The maximum length of a chat message, in characters. Longer ones are rejected before any work. */
export const MAX_TEXT_LENGTH = 2000;
/**
 * How long state outlives its idle timeout, so that the next message within a day gets a
 * notice that the old conversation expired instead of a silent restart. State contains no secret.
 */
const EXPIRED_STATE_KEPT_SECONDS = 86_400;
/** How long a turn waits for an earlier turn of the same conversation to finish. */
const LOCK_WAIT_MS = 8000;

export interface FlowEngineOptions {
  readonly services: Services;
  readonly config: Readonly<Env>;
  readonly logger: Logger;
  /** Dialogs by id. `menu` is where new and restarted conversations begin. */
  readonly dialogs: readonly Dialog[];
  readonly now?: () => number;
}

interface Prompted {
  /** Prompt and form ids that the latest replies offered; older ones are stale. */
  readonly awaiting: readonly string[];
}

type StoredState = FlowState & Prompted;

/**
 * Runs one turn at a time per conversation: loads the flow state from the state store,
 * applies global commands (cancel, help, menu), runs the active dialog step, and saves the
 * new state. Failures are caught here, once, and become a catalog message.
 */
export class FlowEngine implements TurnHandler {
  private readonly dialogs: ReadonlyMap<string, Dialog>;
  private readonly now: () => number;

  constructor(private readonly options: FlowEngineOptions) {
    this.dialogs = new Map(options.dialogs.map((dialog) => [dialog.id, dialog]));
    this.now = options.now ?? Date.now;
    if (!this.dialogs.has('menu')) throw new Error('FlowEngine needs a dialog with id "menu"');
  }

  async handle(turn: Turn): Promise<TurnResult> {
    const started = this.now();
    const chatKey = chatKeyOf(turn);
    const log = this.options.logger.child({ platform: turn.identity.platform, turnId: turn.id });

    if (turn.conversationKind === 'channel') {
      return result([{ kind: 'text', text: this.t('common.directOnly') }]);
    }
    const early = this.rejectInput(turn.input);
    if (early) return result([early]);

    let claim: Awaited<ReturnType<Services['state']['claim']>>;
    try {
      claim = await this.options.services.state.claim(chatKey, turn.id, LOCK_WAIT_MS);
    } catch (error) {
      this.logFailure(log, error, 'none', 'claim');
      return result([errorReply(this.messageFor(error))]);
    }
    if (claim.kind === 'duplicate') {
      log.info({ chatKey }, 'duplicate turn ignored');
      return { replies: [], discardUserMessage: false, duplicate: true };
    }
    if (claim.kind === 'busy') return result([{ kind: 'text', text: this.t('common.busy') }]);

    const previous = claim.state as StoredState | undefined;
    const outcome = await this.runGuarded(turn, chatKey, previous, log);
    try {
      await this.options.services.state.release(
        chatKey,
        claim.token,
        outcome.state,
        this.options.config.FLOW_IDLE_TIMEOUT_SECONDS + EXPIRED_STATE_KEPT_SECONDS,
      );
    } catch (error) {
      this.logFailure(log, error, outcome.state?.flow ?? 'none', 'release');
      return result([errorReply(this.messageFor(error))]);
    }
    log.debug({ flow: outcome.state?.flow, durationMs: this.now() - started }, 'turn handled');
    return {
      replies: outcome.replies,
      discardUserMessage: outcome.discardUserMessage,
      duplicate: false,
    };
  }

  /** Runs the turn; on failure the previous state is kept so the user can try again. */
  private async runGuarded(
    turn: Turn,
    chatKey: string,
    previous: StoredState | undefined,
    log: Logger,
  ): Promise<{ state: StoredState | undefined; replies: Reply[]; discardUserMessage: boolean }> {
    const live = previous && previous.expiresAt > this.now() ? previous : undefined;
    const expiredNotice: Reply[] =
      previous && !live && previous.flow !== 'menu'
        ? [{ kind: 'text', text: this.t('common.expired') }]
        : [];
    try {
      const outcome = await this.dispatch(turn, chatKey, live, log);
      return {
        state: this.nextState(live, outcome),
        replies: [...expiredNotice, ...outcome.replies],
        discardUserMessage: outcome.discardUserMessage ?? false,
      };
    } catch (error) {
      this.logFailure(log, error, live?.flow ?? 'menu', live?.step ?? 'begin');
      return {
        state: live,
        replies: [errorReply(this.messageFor(error))],
        discardUserMessage: false,
      };
    }
  }

  private async dispatch(
    turn: Turn,
    chatKey: string,
    state: StoredState | undefined,
    log: Logger,
  ): Promise<Outcome> {
    const input = turn.input;
    const context = (flow: string, step: string, data: FlowData) =>
      this.context(turn, chatKey, state, { flow, step, data }, log);

    const command = commandOf(input);
    if (command) return this.runCommand(command, state, context);

    // Checked before the idle case too, so that a card or button used again after its flow
    // ended hears that it is old instead of starting over.
    if (state && isStale(input, state)) {
      return { replies: [{ kind: 'text', text: this.t('common.stale') }], next: keep(state) };
    }
    if (!state || (state.flow === 'menu' && state.step === 'idle')) {
      return this.enter(context('menu', 'begin', {}), 'menu', { input });
    }
    const step = this.dialogs.get(state.flow)?.steps[state.step];
    if (!step) return this.enter(context('menu', 'begin', {}), 'menu', {});
    return step(context(state.flow, state.step, state.data), input);
  }

  private async runCommand(
    command: GlobalCommand,
    state: StoredState | undefined,
    context: (flow: string, step: string, data: FlowData) => FlowContext,
  ): Promise<Outcome> {
    const menu = context('menu', 'begin', {});
    switch (command) {
      case 'cancel':
        await this.discardCodes(menu);
        return {
          replies: [
            {
              kind: 'text',
              text: this.t(idleOrNone(state) ? 'common.nothingToCancel' : 'common.cancelled'),
            },
          ],
          next: idle(),
          forgetVerification: true,
        };
      case 'help':
        return {
          replies: [{ kind: 'text', text: this.t('help.text') }],
          next: state ? keep(state) : idle(),
        };
      case 'menu':
        await this.discardCodes(menu);
        return { ...(await this.enter(menu, 'menu', {})), forgetVerification: true };
    }
  }

  private async discardCodes(context: FlowContext): Promise<void> {
    await Promise.all([
      context.services.codes.discard(context.chatKey, 'verify'),
      context.services.codes.discard(context.chatKey, 'email-confirm'),
    ]);
  }

  private async enter(
    context: FlowContext,
    flow: string,
    data: FlowData,
    proved?: ProvedAccount,
  ): Promise<Outcome> {
    const dialog = this.dialogs.get(flow);
    if (!dialog) throw new Error(`no dialog with id "${flow}"`);
    if (proved === undefined) return dialog.begin({ ...context, flow, step: 'begin', data }, data);

    const verification = { ...proved, at: this.now() };
    const verified: FlowContext = { ...context, flow, step: 'begin', data, verification };
    const outcome = await dialog.begin(
      {
        ...verified,
        enter: (next, nextData = {}, options) =>
          this.enter(verified, next, nextData, options?.verified),
      },
      data,
    );
    return { ...outcome, verified: proved };
  }

  private context(
    turn: Turn,
    chatKey: string,
    state: StoredState | undefined,
    position: { flow: string; step: string; data: FlowData },
    log: Logger,
  ): FlowContext {
    const nonce = randomBytes(6).toString('hex');
    const verification =
      state?.verifiedDn !== undefined &&
      state.verifiedAt !== undefined &&
      state.verifiedBy !== undefined
        ? { dn: state.verifiedDn, by: state.verifiedBy, at: state.verifiedAt }
        : undefined;
    const context: FlowContext = {
      identity: turn.identity,
      chatKey,
      ...position,
      verification,
      services: this.options.services,
      config: this.options.config,
      log: log.child({ flow: position.flow }),
      now: this.now,
      t: (key, params) => this.t(key, params),
      enter: (flow, data = {}, options) => this.enter(context, flow, data, options?.verified),
      choices: (text, choices) => ({ kind: 'choices', text, choices, promptId: `p-${nonce}` }),
      secretForm: (form) => ({ kind: 'secret', ...form, formId: `${form.name}-${nonce}` }),
    };
    return context;
  }

  private nextState(previous: StoredState | undefined, outcome: Outcome): StoredState {
    const offered = outcome.replies.flatMap(promptIdsOf);
    const position =
      outcome.next.kind === 'goto'
        ? { flow: outcome.next.flow, step: outcome.next.step, data: outcome.next.data }
        : { flow: 'menu', step: 'idle', data: {} };
    // A reply without buttons at the same step (help, a retry hint) keeps the earlier ones live.
    const samePlace = previous?.flow === position.flow && previous.step === position.step;
    const awaiting = offered.length === 0 && samePlace ? previous.awaiting : offered;
    const verification = this.verificationAfter(previous, outcome);
    return {
      ...position,
      expiresAt: this.now() + this.options.config.FLOW_IDLE_TIMEOUT_SECONDS * 1000,
      awaiting,
      ...verification,
    };
  }

  /**
   * Returns the verification the next state carries: a new one from this outcome, or the
   * earlier one, unless the flow ended or the user cancelled or restarted.
   */
  private verificationAfter(
    previous: StoredState | undefined,
    outcome: Outcome,
  ): Pick<FlowState, 'verifiedDn' | 'verifiedBy' | 'verifiedAt'> {
    if (outcome.next.kind === 'end' || outcome.forgetVerification === true) return {};
    if (outcome.verified) {
      const { dn, by } = outcome.verified;
      return { verifiedDn: dn, verifiedBy: by, verifiedAt: this.now() };
    }
    if (previous?.verifiedDn === undefined || previous.verifiedAt === undefined) return {};
    if (previous.verifiedBy === undefined) return {};
    const { verifiedDn, verifiedBy, verifiedAt } = previous;
    return { verifiedDn, verifiedBy, verifiedAt };
  }

  /** Rejects empty and oversized text before any state is touched. */
  private rejectInput(input: TurnInput): Reply | undefined {
    if (input.kind !== 'text') return undefined;
    if (input.text.trim() === '') return { kind: 'text', text: this.t('common.emptyInput') };
    if (input.text.length > MAX_TEXT_LENGTH) {
      return {
        kind: 'text',
        text: this.t('common.tooLong', { length: input.text.length, max: MAX_TEXT_LENGTH }),
      };
    }
    return undefined;
  }

  private messageFor(error: unknown): string {
    if (error instanceof AppError) return this.t(error.messageKey, error.params);
    return this.t('error.internal');
  }

  private logFailure(log: Logger, error: unknown, flow: string, step: string): void {
    if (error instanceof AppError && error.severity === 'user') {
      // An expected rejection, such as a send limit. The user gets its message, and a stack would not help.
      log.info({ code: error.code, reason: error.message, flow, step }, 'turn rejected');
    } else if (error instanceof AppError) {
      log.error({ code: error.code, flow, step, err: error }, 'turn failed');
    } else {
      log.error({ code: 'INTERNAL', flow, step, err: error }, 'turn failed unexpectedly');
    }
  }

  private t(key: MessageKey, params?: MessageParams): string {
    return translate(this.options.config.LOCALE as Locale, key, params);
  }
}

export function chatKeyOf(turn: Pick<Turn, 'identity'>): string {
  const { platform, tenantId, userId } = turn.identity;
  return `${platform}:${tenantId}:${userId}`;
}

function commandOf(input: TurnInput): GlobalCommand | undefined {
  if (input.kind === 'text') return classifyText(input.text);
  if (input.kind === 'choice' && input.value.startsWith('cmd:')) {
    return classifyText(input.value.slice(4));
  }
  if (input.kind === 'start') return 'menu';
  return undefined;
}

/** A button or form from an earlier prompt. Typed text and home-tab buttons are never stale. */
function isStale(input: TurnInput, state: StoredState): boolean {
  if (input.kind === 'choice' && input.promptId !== undefined) {
    return !state.awaiting.includes(input.promptId);
  }
  if (input.kind === 'form') return !state.awaiting.includes(input.formId);
  return false;
}

function keep(state: StoredState): Outcome['next'] {
  return { kind: 'goto', flow: state.flow, step: state.step, data: state.data };
}

/** True when no flow is running: a new conversation, or one whose flow has ended. */
function idleOrNone(state: StoredState | undefined): boolean {
  return state === undefined || (state.flow === 'menu' && state.step === 'idle');
}

/** Returns the prompt or form id a reply offers, for the stale-input check. */
function promptIdsOf(reply: Reply): string[] {
  if (reply.kind === 'choices') return [reply.promptId];
  if (reply.kind === 'secret') return [reply.formId];
  return [];
}

function idle(): Outcome['next'] {
  return { kind: 'goto', flow: 'menu', step: 'idle', data: {} };
}

function errorReply(text: string): Reply {
  return { kind: 'error', text };
}

function result(replies: Reply[]): TurnResult {
  return { replies, discardUserMessage: false, duplicate: false };
}
