import { type Activity, ActivityTypes, TurnContext } from 'botbuilder';
import type { TurnInput } from '../../src/engine/turn.js';
import type { SubmitData } from './adaptive-cards.js';

/** The limits on a card submission; anything larger is not from a card the bot rendered. */
const MAX_FIELDS = 8;
const MAX_FIELD_LENGTH = 1024;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9]{0,39}$/;
const ID_VALUE = /^[A-Za-z0-9:_-]{1,80}$/;

/** The adapter's reading of one incoming activity. */
export type ActivityInput =
  | { readonly kind: 'turn'; readonly input: TurnInput; readonly submitted?: SubmitData }
  /** A card submission that the bot cannot read. `problem` gives the reason without echoing values. */
  | { readonly kind: 'unreadable'; readonly problem: string }
  /** An activity the bot does not act on (reactions, typing, member removals). */
  | { readonly kind: 'ignored' };

/**
 * Reads an incoming activity as a neutral turn input: typed text without the bot's
 * @mention, an Action.Submit from one of the bot's cards, or an install event.
 */
export function readActivity(activity: Activity): ActivityInput {
  if (activity.type === ActivityTypes.Message) return readMessage(activity);
  if (isInstall(activity)) return { kind: 'turn', input: { kind: 'start' } };
  return { kind: 'ignored' };
}

/** True for the bot being added to a chat: by `conversationUpdate` or `installationUpdate`. */
function isInstall(activity: Activity): boolean {
  if (activity.type === ActivityTypes.InstallationUpdate) return activity.action === 'add';
  if (activity.type !== ActivityTypes.ConversationUpdate) return false;
  const botId = activity.recipient?.id;
  return (activity.membersAdded ?? []).some((member) => member.id === botId);
}

function readMessage(activity: Activity): ActivityInput {
  if (activity.value !== undefined && activity.value !== null) return readSubmit(activity.value);
  const text = stripMention(activity);
  return { kind: 'turn', input: { kind: 'text', text } };
}

/** Removes every @mention of the bot, which Teams includes in channel and group chat text. */
function stripMention(activity: Activity): string {
  const text = TurnContext.removeRecipientMention(activity) ?? activity.text ?? '';
  return text.replace(/\s+/g, ' ').trim();
}

/** Reads the `value` of an Action.Submit; Teams merges card inputs into the button's data. */
export function readSubmit(value: unknown): ActivityInput {
  if (!isRecord(value)) return unreadable('it is not a JSON object');
  const data = value.sspr;
  if (!isRecord(data)) return unreadable('it does not come from one of my buttons or forms');

  if (data.kind === 'choice') {
    const { value: choice, promptId, label } = data;
    if (typeof choice !== 'string' || choice.length === 0 || choice.length > 200) {
      return unreadable('the button value is missing or too long');
    }
    if (typeof promptId !== 'string' || !ID_VALUE.test(promptId)) {
      return unreadable('the button has no valid prompt id');
    }
    const submitted: SubmitData = {
      kind: 'choice',
      value: choice,
      promptId,
      label: typeof label === 'string' ? label.slice(0, 200) : choice,
    };
    return { kind: 'turn', input: { kind: 'choice', value: choice, promptId }, submitted };
  }
  if (data.kind === 'form') return readForm(value, data);
  return unreadable('the button kind is unknown');
}

function readForm(value: Record<string, unknown>, data: Record<string, unknown>): ActivityInput {
  const { formId, title } = data;
  if (typeof formId !== 'string' || !ID_VALUE.test(formId)) {
    return unreadable('the form has no valid form id');
  }
  const fields: Record<string, string> = {};
  for (const [name, fieldValue] of Object.entries(value)) {
    if (name === 'sspr') continue;
    if (!FIELD_NAME.test(name)) return unreadable('it contains a field name I do not know');
    if (typeof fieldValue !== 'string') return unreadable(`the field "${name}" is not text`);
    if (fieldValue.length > MAX_FIELD_LENGTH) {
      return unreadable(`the field "${name}" is longer than ${MAX_FIELD_LENGTH} characters`);
    }
    fields[name] = fieldValue;
  }
  if (Object.keys(fields).length > MAX_FIELDS) {
    return unreadable(`it has more than ${MAX_FIELDS} fields`);
  }
  const submitted: SubmitData = {
    kind: 'form',
    formId,
    title: typeof title === 'string' ? title.slice(0, 200) : '',
  };
  return { kind: 'turn', input: { kind: 'form', formId, fields }, submitted };
}

function unreadable(problem: string): ActivityInput {
  return { kind: 'unreadable', problem };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
