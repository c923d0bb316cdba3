import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  types,
  ViewSubmitAction,
} from '@slack/bolt';
import type { Reply, TurnResult } from '../../src/engine/turn.js';
import type { Logger } from '../../src/log/logger.js';
import { context, renderReply, replaceActions, section } from './message-blocks.js';
import {
  ACTION,
  decodeChoice,
  decodeForm,
  decodeModalMetadata,
  FIELD_ACTION,
  type ModalMetadata,
  SECRET_FORM_CALLBACK,
} from './payloads.js';
import type { SlackApi } from './slack-api.js';
import type { SlackTurns, SlackUser } from './slack-turns.js';
import { ViewForms } from './view-forms.js';
import { renderSecretModal } from './views.js';

/**
 * How long a form submission may run before the modal is closed without waiting for it,
 * in milliseconds. Slack drops a view_submission acknowledged after 3 s, and an inline
 * error can only travel in that acknowledgement.
 */
const FORM_ACK_BUDGET_MS = 2500;

export interface InteractionListenerOptions {
  readonly turns: SlackTurns;
  readonly api: SlackApi;
  readonly logger: Logger;
  /** PASSWORD_MAX_LENGTH, the max_length of password inputs. */
  readonly maxPasswordLength: number;
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Wires buttons and the secret-input modal to the engine. Every listener acks first. */
export function registerInteractionListeners(app: App, options: InteractionListenerOptions): void {
  const forms = new ViewForms();
  const choicePattern = new RegExp(`^${ACTION.choicePrefix}\\d+$`);
  const homePattern = new RegExp(`^${ACTION.homePrefix}[a-z]+$`);

  app.action<BlockAction<ButtonAction>>(choicePattern, (args) => onChoice(args, options));
  app.action<BlockAction<ButtonAction>>(ACTION.openForm, (args) => onOpenForm(args, options));
  app.action<BlockAction<ButtonAction>>(homePattern, (args) => onHomeButton(args, options));
  app.view<ViewSubmitAction>(SECRET_FORM_CALLBACK, (args) => onSubmit(args, options, forms));
}

/** Runs a choice button's choice and removes the buttons from its message. */
async function onChoice(args: ButtonArgs, options: InteractionListenerOptions): Promise<void> {
  const { ack, body, action } = args;
  await ack();
  const choice = decodeChoice(action.value);
  const channel = body.channel?.id ?? body.container?.channel_id;
  if (!choice || channel === undefined) {
    options.logger.warn({ actionId: action.action_id }, 'slack button without a usable value');
    return;
  }

  const picked = options.turns.t('slack.picked', { label: action.text.text });
  const removeButtons = body.message
    ? options.api.call('chat.update', (client) =>
        client.chat.update({
          channel,
          ts: body.message?.ts as string,
          text: body.message?.text ?? picked,
          blocks: replaceActions(messageBlocks(body), action.block_id, picked),
        }),
      )
    : Promise.resolve(undefined);
  const [, result] = await Promise.all([
    removeButtons,
    options.turns.run(userOf(body), {
      id: `action:${action.action_ts}:${body.user.id}`,
      conversationKind: 'direct',
      input: { kind: 'choice', value: choice.value, promptId: choice.promptId },
    }),
  ]);
  await options.turns.post(result.replies, { channel, user: body.user.id, ephemeral: false });
}

/** Opens the modal of a form button. Slack's trigger id expires after 3 s, so this runs first. */
async function onOpenForm(args: ButtonArgs, options: InteractionListenerOptions): Promise<void> {
  const { ack, body, action } = args;
  await ack();
  const spec = decodeForm(action.value);
  const channel = body.channel?.id ?? body.container?.channel_id;
  const messageTs = body.message?.ts ?? body.container?.message_ts;
  if (!spec || channel === undefined || messageTs === undefined) {
    options.logger.warn({ actionId: action.action_id }, 'slack form button without a usable value');
    return;
  }
  const metadata: ModalMetadata = {
    formId: spec.formId,
    channel,
    messageTs,
    ...(spec.text !== undefined ? { text: spec.text } : {}),
  };
  const view = renderSecretModal(spec, metadata, {
    t: (key, params) => options.turns.t(key, params),
    maxPasswordLength: options.maxPasswordLength,
  });
  await options.api.call('views.open', (client) =>
    client.views.open({ trigger_id: body.trigger_id, view }),
  );
}

/** Starts the menu action of an App Home button in the user's DM. */
async function onHomeButton(args: ButtonArgs, options: InteractionListenerOptions): Promise<void> {
  const { ack, body, action } = args;
  await ack();
  if (!action.value?.startsWith('menu:')) return;
  const channel = await options.turns.openDirectMessage(body.user.id);
  if (channel === undefined) return;
  // Home buttons carry no prompt id, so the engine never treats them as stale.
  const result = await options.turns.run(userOf(body), {
    id: `action:${action.action_ts}:${body.user.id}`,
    conversationKind: 'direct',
    input: { kind: 'choice', value: action.value },
  });
  await options.turns.post(result.replies, { channel, user: body.user.id, ephemeral: false });
}

/**
 * Runs a submitted secret form. When the engine returns the form again with an error
 * within the budget, the error is shown inline and the modal stays open. Otherwise the modal
 * closes, the form button disappears from the DM, and the replies are posted there.
 */
async function onSubmit(
  args: SubmitArgs,
  options: InteractionListenerOptions,
  forms: ViewForms,
): Promise<void> {
  const { ack, body, view } = args;
  const metadata = decodeModalMetadata(view.private_metadata);
  if (!metadata) {
    await ack();
    options.logger.warn({ viewId: view.id }, 'slack modal without usable metadata');
    return;
  }

  // After an inline error the engine expects the re-offered form's id, not the original.
  const formId = forms.current(view.id) ?? metadata.formId;
  const running = options.turns.run(userOf(body), {
    id: `view:${view.id}:${view.hash}:${formId}`,
    conversationKind: 'direct',
    input: { kind: 'form', formId, fields: fieldsOf(view.state.values) },
  });
  const early = await settleWithin(running, FORM_ACK_BUDGET_MS);
  const inline = early ? inlineError(early) : undefined;
  const target = { channel: metadata.channel, user: body.user.id, ephemeral: false };

  if (early && inline) {
    forms.remember(view.id, inline.formId);
    await showInlineError(args, options, metadata, inline);
    await options.turns.post(without(early.replies, inline), target);
    return;
  }
  await ack();
  const result = early ?? (await running);
  forms.forget(view.id);
  if (!result.duplicate) await markSubmitted(options, metadata);
  await options.turns.post(result.replies, target);
}

/**
 * Acknowledges with the error on the first input of the still-open modal, and redraws the
 * DM message with the re-offered form, in case the user closes the modal.
 */
async function showInlineError(
  args: SubmitArgs,
  options: InteractionListenerOptions,
  metadata: ModalMetadata,
  inline: Extract<Reply, { kind: 'secret' }>,
): Promise<void> {
  const field = inline.fields[0]?.name ?? '';
  await args.ack({ response_action: 'errors', errors: { [field]: inline.error ?? '' } });
  await options.api.call('chat.update', (client) =>
    client.chat.update({
      channel: metadata.channel,
      ts: metadata.messageTs,
      ...renderReply(inline),
    }),
  );
}

/** Redraws the DM message of a submitted form without its button. */
async function markSubmitted(options: InteractionListenerOptions, metadata: ModalMetadata) {
  const note = options.turns.t('slack.submitted');
  const blocks: types.KnownBlock[] = [
    ...(metadata.text !== undefined ? [section(metadata.text)] : []),
    context(`✓ ${note}`),
  ];
  await options.api.call('chat.update', (client) =>
    client.chat.update({
      channel: metadata.channel,
      ts: metadata.messageTs,
      text: metadata.text ?? note,
      blocks,
    }),
  );
}

/** Finds the re-offered secret form with an error, when the engine rejected the submission. */
function inlineError(result: TurnResult): Extract<Reply, { kind: 'secret' }> | undefined {
  for (const reply of result.replies) {
    if (reply.kind === 'secret' && reply.error !== undefined) return reply;
  }
  return undefined;
}

function without(replies: readonly Reply[], removed: Reply): Reply[] {
  return replies.filter((reply) => reply !== removed);
}

/** Input values by block id, which is the field name; Slack sends null for empty inputs. */
function fieldsOf(values: ViewSubmitAction['view']['state']['values']): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [blockId, actions] of Object.entries(values)) {
    const value = actions[FIELD_ACTION]?.value;
    fields[blockId] = typeof value === 'string' ? value : '';
  }
  return fields;
}

function userOf(body: {
  user: { id: string; team_id?: string };
  team: { id: string } | null;
  enterprise?: { id: string } | null;
}): SlackUser {
  const tenantId = body.enterprise?.id || body.team?.id || body.user.team_id || 'unknown';
  return { tenantId, userId: body.user.id };
}

function messageBlocks(body: BlockAction): types.KnownBlock[] {
  const blocks = (body.message as { blocks?: unknown } | undefined)?.blocks;
  return Array.isArray(blocks) ? (blocks as types.KnownBlock[]) : [];
}

/** Resolves with the promise's value, or with undefined once `ms` have passed. */
async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
