/**
 * One user's side of a conversation, whatever the platform. The same transcript runs
 * through the console engine, Slack and Teams by swapping the driver.
 */
export interface SeenReply {
  /** The visible text of the message, card or modal, flattened to plain text. */
  readonly text: string;
  /** Buttons offered with it, by value and label. */
  readonly buttons: readonly { readonly value: string; readonly label: string }[];
  /** A secret form offered with it (Slack: a button that opens a modal; Teams: card inputs). */
  readonly form?: { readonly formId: string; readonly fields: readonly string[] };
}

export interface ChatDriver {
  /** Sends a chat message as the user and returns what the bot replied to it. */
  say(text: string): Promise<SeenReply[]>;
  /** Presses the button with this value on the newest message that offers it. */
  click(value: string): Promise<SeenReply[]>;
  /** Fills and submits the newest secret form. */
  submit(fields: Record<string, string>): Promise<SeenReply[]>;
  close(): Promise<void>;
}
