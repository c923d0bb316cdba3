import { type Activity, ActivityTypes } from 'botbuilder';
import type { Reply } from '../../src/engine/turn.js';
import { cardAttachment, choicesCard, secretCard } from './adaptive-cards.js';

/**
 * Renders the engine's replies as Teams messages: text as plain text, so user input
 * quoted in a reply cannot add markdown, and choices and secret forms as Adaptive Cards.
 */
export function renderReplies(replies: readonly Reply[]): Partial<Activity>[] {
  return replies.map(renderReply);
}

function renderReply(reply: Reply): Partial<Activity> {
  switch (reply.kind) {
    case 'text':
    case 'error':
      return { type: ActivityTypes.Message, text: reply.text, textFormat: 'plain' };
    case 'choices':
      return { type: ActivityTypes.Message, attachments: [cardAttachment(choicesCard(reply))] };
    case 'secret':
      return { type: ActivityTypes.Message, attachments: [cardAttachment(secretCard(reply))] };
  }
}
