import type { Env } from '../config/schema.js';
import type { MessageKey, MessageParams } from '../i18n/translate.js';
import type { Logger } from '../log/logger.js';
import type { Services } from './services.js';
import type { ChatIdentity, Choice, Reply, SecretField, TurnInput } from './turn.js';

export type FlowData = Readonly<Record<string, unknown>>;

/** The next position after a step: another step, or the end of the flow. */
export type Next =
  | { readonly kind: 'goto'; readonly flow: string; readonly step: string; readonly data: FlowData }
  | { readonly kind: 'end' };

/** The explicit result of one dialog step. */
export interface Outcome {
  readonly replies: readonly Reply[];
  readonly next: Next;
  /** The user typed a secret as a chat message; the adapter deletes it where it can. */
  readonly discardUserMessage?: boolean;
  /** Set when this step verified the user, which later steps rely on. */
  readonly verified?: ProvedAccount;
  /**
   * Drops the conversation's verification. A verification also ends with its flow, so
   * that one code never covers a second action.
   */
  readonly forgetVerification?: boolean;
}

/** An account this conversation proved it owns, and the method that proved it. */
export interface ProvedAccount {
  readonly dn: string;
  readonly by: 'sms' | 'email';
}

/** Everything a step may use. Steps never import a platform SDK or a store client. */
export interface FlowContext {
  readonly identity: ChatIdentity;
  /** `<platform>:<tenant>:<user>`: the key for codes, registrations and audit. */
  readonly chatKey: string;
  readonly flow: string;
  readonly step: string;
  readonly data: FlowData;
  /** The account this conversation verified, and when (epoch ms), if it did. */
  readonly verification: (ProvedAccount & { readonly at: number }) | undefined;
  readonly services: Services;
  readonly config: Readonly<Env>;
  readonly log: Logger;
  now(): number;
  t(key: MessageKey, params?: MessageParams): string;
  /**
   * Starts another dialog at its first step, with the data given. With `verified`, the
   * dialog starts as verified for that account, and the outcome records the verification.
   */
  enter(
    flow: string,
    data?: FlowData,
    options?: { readonly verified?: ProvedAccount },
  ): Promise<Outcome>;
  /** A choices reply whose buttons are valid only until the next prompt. */
  choices(text: string, choices: readonly Choice[]): Reply;
  /** A secret form whose submission is valid only until the next prompt. */
  secretForm(form: {
    readonly name: string;
    readonly text: string;
    readonly title: string;
    readonly submitLabel: string;
    readonly openLabel: string;
    readonly fields: readonly SecretField[];
    readonly error?: string;
  }): Reply;
}

export type Step = (context: FlowContext, input: TurnInput) => Promise<Outcome>;

/** A conversation: its first step, and the steps that wait for the user's next input. */
export interface Dialog {
  readonly id: string;
  begin(context: FlowContext, data: FlowData): Promise<Outcome>;
  readonly steps: Readonly<Record<string, Step>>;
}

export function goto(
  flow: string,
  step: string,
  data: FlowData,
  replies: readonly Reply[],
): Outcome {
  return { replies, next: { kind: 'goto', flow, step, data } };
}

export function end(replies: readonly Reply[]): Outcome {
  return { replies, next: { kind: 'end' } };
}

export function text(value: string): Reply {
  return { kind: 'text', text: value };
}
