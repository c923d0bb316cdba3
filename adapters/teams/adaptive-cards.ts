import type { Attachment } from 'botbuilder';
import type { Reply } from '../../src/engine/turn.js';

/** The content type Teams expects for an Adaptive Card attachment. */
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** Adaptive Cards 1.5 is the first version with the `password` style of Input.Text. */
const CARD_VERSION = '1.5';

/**
 * The `data` of every Action.Submit the bot renders, under the `sspr` key. Teams merges the
 * card's input values into the same object, so field values sit beside it at the top level.
 */
export type SubmitData =
  | {
      readonly kind: 'choice';
      readonly value: string;
      readonly promptId: string;
      readonly label: string;
    }
  | { readonly kind: 'form'; readonly formId: string; readonly title: string };

export type AdaptiveCard = Readonly<Record<string, unknown>>;

/** Wraps a card as a message attachment. */
export function cardAttachment(card: AdaptiveCard): Attachment {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };
}

/** Renders a choices reply as a card with one Action.Submit button per choice. */
export function choicesCard(reply: Extract<Reply, { kind: 'choices' }>): AdaptiveCard {
  return card(
    [textBlock(reply.text)],
    reply.choices.map((choice) =>
      submitAction(choice.label, {
        kind: 'choice',
        value: choice.value,
        promptId: reply.promptId,
        label: choice.label,
      }),
    ),
  );
}

/**
 * Renders a secret form as a card with masked inputs. Codes are masked too, because a code on
 * screen is as good as a password for the next few minutes.
 */
export function secretCard(reply: Extract<Reply, { kind: 'secret' }>): AdaptiveCard {
  const body: Record<string, unknown>[] = [
    textBlock(reply.title, { weight: 'Bolder', size: 'Medium' }),
    textBlock(reply.text),
  ];
  if (reply.error !== undefined) body.push(textBlock(reply.error, { color: 'Attention' }));
  for (const field of reply.fields) {
    body.push({
      type: 'Input.Text',
      id: field.name,
      label: field.label,
      style: 'password',
      isRequired: true,
      errorMessage: field.label,
      ...(field.kind === 'code' ? { maxLength: 16 } : { maxLength: 256 }),
    });
  }
  const submit = submitAction(reply.submitLabel, {
    kind: 'form',
    formId: reply.formId,
    title: reply.title,
  });
  return card(body, [submit]);
}

/** Builds the card that replaces a submitted one: the outcome only, with no inputs or buttons. */
export function doneCard(text: string): AdaptiveCard {
  return card([textBlock(text, { isSubtle: true })], []);
}

function card(body: readonly unknown[], actions: readonly unknown[]): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body,
    ...(actions.length > 0 ? { actions } : {}),
  };
}

function textBlock(text: string, style: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'TextBlock', text, wrap: true, ...style };
}

function submitAction(title: string, data: SubmitData): Record<string, unknown> {
  return { type: 'Action.Submit', title, data: { sspr: data } };
}
