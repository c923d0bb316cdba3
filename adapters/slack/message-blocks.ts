import type { types } from '@slack/bolt';
import type { Reply } from '../../src/engine/turn.js';
import { ACTION, encodeChoice, encodeForm } from './payloads.js';

/** Slack's limits, in characters: section text, button text, and a message's fallback text. */
const MAX_SECTION_TEXT = 3000;
const MAX_BUTTON_TEXT = 75;
const MAX_FALLBACK_TEXT = 4000;
/** Slack allows at most 25 elements in one actions block. */
const MAX_BUTTONS = 25;

/** One Slack message: Block Kit blocks and the plain text shown in notifications. */
export interface RenderedMessage {
  readonly text: string;
  readonly blocks: types.KnownBlock[];
}

/**
 * Renders one engine reply as one Slack message. Text is always `plain_text`, so user
 * input echoed in a reply can never become a mention or a link. Choices become buttons
 * whose value carries the choice and its prompt id, and a secret form becomes a button
 * that opens a modal, because Slack messages have no input fields.
 */
export function renderReply(reply: Reply): RenderedMessage {
  switch (reply.kind) {
    case 'text':
      return { text: fallback(reply.text), blocks: [section(reply.text)] };
    case 'error':
      return { text: fallback(reply.text), blocks: [section(`⚠️ ${reply.text}`)] };
    case 'choices':
      return {
        text: fallback(reply.text),
        blocks: [section(reply.text), choiceButtons(reply)],
      };
    case 'secret':
      return { text: fallback(reply.text), blocks: secretBlocks(reply) };
  }
}

/**
 * Replaces the actions block that held a used button with a context line, so that the
 * buttons disappear from the message once one was pressed.
 */
export function replaceActions(
  blocks: readonly types.KnownBlock[],
  blockId: string,
  note: string,
): types.KnownBlock[] {
  return blocks.map((block) =>
    block.type === 'actions' && block.block_id === blockId ? context(note, blockId) : block,
  );
}

export function section(text: string): types.SectionBlock {
  return { type: 'section', text: plain(clip(text, MAX_SECTION_TEXT)) };
}

export function context(text: string, blockId?: string): types.ContextBlock {
  return {
    type: 'context',
    ...(blockId !== undefined ? { block_id: blockId } : {}),
    elements: [plain(clip(text, MAX_SECTION_TEXT))],
  };
}

export function plain(text: string): types.PlainTextElement {
  return { type: 'plain_text', text, emoji: true };
}

export function button(
  actionId: string,
  label: string,
  value: string,
  style?: 'primary',
): types.Button {
  return {
    type: 'button',
    action_id: actionId,
    text: plain(clip(label, MAX_BUTTON_TEXT)),
    value,
    ...(style ? { style } : {}),
  };
}

function choiceButtons(reply: Extract<Reply, { kind: 'choices' }>): types.ActionsBlock {
  // NOTE: choices past Slack's 25-button limit are dropped; no dialog offers that many.
  const elements = reply.choices
    .slice(0, MAX_BUTTONS)
    .map((choice, index) =>
      button(
        `${ACTION.choicePrefix}${index}`,
        choice.label,
        encodeChoice({ value: choice.value, promptId: reply.promptId }),
      ),
    );
  return { type: 'actions', block_id: `choices-${reply.promptId}`, elements };
}

function secretBlocks(reply: Extract<Reply, { kind: 'secret' }>): types.KnownBlock[] {
  const value = encodeForm({
    formId: reply.formId,
    title: reply.title,
    submitLabel: reply.submitLabel,
    fields: reply.fields,
    text: reply.text,
    ...(reply.error !== undefined ? { error: reply.error } : {}),
  });
  const open = button(ACTION.openForm, reply.openLabel, value, 'primary');
  return [
    section(reply.text),
    ...(reply.error !== undefined ? [section(`⚠️ ${reply.error}`)] : []),
    { type: 'actions', block_id: `form-${reply.formId}`, elements: [open] },
  ];
}

function fallback(text: string): string {
  return clip(text, MAX_FALLBACK_TEXT);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
