/**
 * The platform-neutral shape of one incoming event (a turn) and of the bot's replies.
 * Adapters translate platform events into turns and render replies; nothing here names a
 * platform SDK.
 */

export type Platform = 'console' | 'slack' | 'teams';

/** The speaker, as the chat platform identifies them. */
export interface ChatIdentity {
  readonly platform: Platform;
  /** Slack team or enterprise id, Teams tenant id, or `local` for the console. */
  readonly tenantId: string;
  /** Slack user id, Teams AAD object id, or the console's `--as` value. */
  readonly userId: string;
  /** The UPN or e-mail the platform gives for the user, used to find the AD account. */
  readonly directoryName: string | undefined;
}

export type ConversationKind = 'direct' | 'channel';

export type TurnInput =
  | { readonly kind: 'text'; readonly text: string }
  /** A button or menu choice, by its value. `promptId` names the prompt it belongs to. */
  | { readonly kind: 'choice'; readonly value: string; readonly promptId?: string }
  /** A submitted secret form; `formId` names the form it was submitted from. */
  | {
      readonly kind: 'form';
      readonly formId: string;
      readonly fields: Readonly<Record<string, string>>;
    }
  /** The conversation was opened (app installed, App Home, slash command, console start). */
  | { readonly kind: 'start' };

export interface Turn {
  /** The platform's event or activity id. A turn whose id was seen before is not run again. */
  readonly id: string;
  readonly identity: ChatIdentity;
  readonly conversationKind: ConversationKind;
  readonly input: TurnInput;
}

export interface Choice {
  readonly value: string;
  readonly label: string;
}

export interface SecretField {
  readonly name: string;
  readonly label: string;
  /** `password` fields are masked and never echoed; `code` fields are short digits. */
  readonly kind: 'password' | 'code';
}

export type Reply =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'choices';
      readonly text: string;
      readonly promptId: string;
      readonly choices: readonly Choice[];
    }
  /**
   * A request for secret input. Adapters show it as a modal or a card with masked fields
   * and return the values as a `form` turn with the same `formId`.
   */
  | {
      readonly kind: 'secret';
      readonly text: string;
      readonly formId: string;
      readonly title: string;
      readonly submitLabel: string;
      readonly openLabel: string;
      readonly fields: readonly SecretField[];
      /** An inline error for the form, shown on the fields when the platform can. */
      readonly error?: string;
    }
  | { readonly kind: 'error'; readonly text: string };

export interface TurnResult {
  readonly replies: readonly Reply[];
  /**
   * True when the user typed something secret (a password) as a chat message. The
   * adapter deletes that message where it can.
   */
  readonly discardUserMessage: boolean;
  /** True when the turn was a duplicate delivery and nothing ran. */
  readonly duplicate: boolean;
}

/** The interface adapters call for every turn: the flow engine, behind one method. */
export interface TurnHandler {
  handle(turn: Turn): Promise<TurnResult>;
}
