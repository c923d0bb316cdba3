import type { SecretField } from '../../src/engine/turn.js';

/**
 * Encodings of the data the adapter stores in button values and modal metadata, so that
 * a click or a submission carries everything needed for the next turn without adapter
 * state.
 * Slack returns these strings unchanged in signed requests. They are still parsed
 * defensively, because a malformed value must not crash a listener.
 */

/** Action ids of the buttons the adapter renders. */
export const ACTION = {
  /** A choice button; the suffix is its index, because action ids must be unique in a block. */
  choicePrefix: 'sspr_choice_',
  openForm: 'sspr_open_form',
  /** An App Home button; the suffix names the menu action. */
  homePrefix: 'sspr_home_',
} as const;

/** callback_id of the secret-input modal. */
export const SECRET_FORM_CALLBACK = 'sspr_secret_form';
/** action_id of the text input inside each input block of the modal. */
export const FIELD_ACTION = 'value';

/** Slack's limit for a button value, in characters. */
const MAX_BUTTON_VALUE = 2000;
/** Slack's limit for a view's private_metadata, in characters. */
const MAX_METADATA = 3000;

export interface ChoiceValue {
  readonly value: string;
  readonly promptId: string;
}

/** A secret form as the open-form button carries it. */
export interface FormSpec {
  readonly formId: string;
  readonly title: string;
  readonly submitLabel: string;
  readonly fields: readonly SecretField[];
  /** The prompt text, used to redraw the message once the form was submitted. */
  readonly text?: string;
  readonly error?: string;
}

/** The origin of a modal: the form it submits and the DM message with its button. */
export interface ModalMetadata {
  readonly formId: string;
  readonly channel: string;
  readonly messageTs: string;
  readonly text?: string;
}

export function encodeChoice(choice: ChoiceValue): string {
  return JSON.stringify({ v: choice.value, p: choice.promptId });
}

export function decodeChoice(raw: string | undefined): ChoiceValue | undefined {
  const parsed = parseObject(raw);
  if (typeof parsed?.v !== 'string' || typeof parsed.p !== 'string') return undefined;
  return { value: parsed.v, promptId: parsed.p };
}

/**
 * Encodes a form for the open-form button. The prompt text and the error are left out
 * when the whole value would exceed Slack's 2000-character limit.
 */
export function encodeForm(spec: FormSpec): string {
  const fields = spec.fields.map((field) => [field.name, field.label, field.kind]);
  const base = { f: spec.formId, t: spec.title, s: spec.submitLabel, d: fields };
  const full = JSON.stringify({ ...base, x: spec.text, e: spec.error });
  return full.length <= MAX_BUTTON_VALUE ? full : JSON.stringify(base);
}

export function decodeForm(raw: string | undefined): FormSpec | undefined {
  const parsed = parseObject(raw);
  if (!parsed || typeof parsed.f !== 'string' || !Array.isArray(parsed.d)) return undefined;
  const fields: SecretField[] = [];
  for (const entry of parsed.d) {
    if (!Array.isArray(entry)) return undefined;
    const [name, label, kind] = entry;
    if (typeof name !== 'string' || typeof label !== 'string') return undefined;
    if (kind !== 'password' && kind !== 'code') return undefined;
    fields.push({ name, label, kind });
  }
  return {
    formId: parsed.f,
    title: typeof parsed.t === 'string' ? parsed.t : '',
    submitLabel: typeof parsed.s === 'string' ? parsed.s : '',
    fields,
    ...(typeof parsed.x === 'string' ? { text: parsed.x } : {}),
    ...(typeof parsed.e === 'string' ? { error: parsed.e } : {}),
  };
}

/** Encodes modal metadata, leaving out the prompt text beyond Slack's 3000-character limit. */
export function encodeModalMetadata(metadata: ModalMetadata): string {
  const base = { f: metadata.formId, c: metadata.channel, m: metadata.messageTs };
  const full = JSON.stringify({ ...base, x: metadata.text });
  return full.length <= MAX_METADATA ? full : JSON.stringify(base);
}

export function decodeModalMetadata(raw: string | undefined): ModalMetadata | undefined {
  const parsed = parseObject(raw);
  if (!parsed) return undefined;
  const { f, c, m, x } = parsed;
  if (typeof f !== 'string' || typeof c !== 'string' || typeof m !== 'string') return undefined;
  return { formId: f, channel: c, messageTs: m, ...(typeof x === 'string' ? { text: x } : {}) };
}

function parseObject(raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
