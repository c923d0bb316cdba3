import type { types } from '@slack/bolt';
import type { MessageKey, MessageParams } from '../../src/i18n/translate.js';
import { button, context, plain, section } from './message-blocks.js';
import {
  ACTION,
  encodeModalMetadata,
  FIELD_ACTION,
  type FormSpec,
  type ModalMetadata,
  SECRET_FORM_CALLBACK,
} from './payloads.js';

/** Slack's limit for a modal's title, submit and close labels, in characters. */
const MAX_MODAL_LABEL = 24;
/** Maximum length of a code field, in characters. Codes have at most 10 digits. */
const MAX_CODE_INPUT = 32;

type Translate = (key: MessageKey, params?: MessageParams) => string;

/**
 * Renders the modal for a secret form: one `plain_text_input` per field, with the field
 * name as its block id so that an inline error can point at it. Slack cannot mask these
 * inputs, so a hint at the top warns the user.
 */
export function renderSecretModal(
  spec: FormSpec,
  metadata: ModalMetadata,
  options: { readonly t: Translate; readonly maxPasswordLength: number },
): types.ModalView {
  const inputs: types.InputBlock[] = spec.fields.map((field) => ({
    type: 'input',
    block_id: field.name,
    label: plain(field.label),
    element: {
      type: 'plain_text_input',
      action_id: FIELD_ACTION,
      max_length: field.kind === 'code' ? MAX_CODE_INPUT : options.maxPasswordLength,
    },
  }));
  return {
    type: 'modal',
    callback_id: SECRET_FORM_CALLBACK,
    private_metadata: encodeModalMetadata(metadata),
    title: plain(label(spec.title)),
    submit: plain(label(spec.submitLabel)),
    close: plain(label(options.t('common.cancel'))),
    blocks: [
      context(options.t('slack.secretHint')),
      ...(spec.error !== undefined ? [section(`⚠️ ${spec.error}`)] : []),
      ...inputs,
    ],
  };
}

/** Renders the App Home tab: a greeting and one button per menu action, which runs in the DM. */
export function renderHomeView(options: {
  readonly t: Translate;
  readonly secondaryEmail: boolean;
}): types.HomeView {
  const { t } = options;
  const actions: [string, MessageKey][] = [
    ['reset', 'menu.reset'],
    ['unlock', 'menu.unlock'],
    ...(options.secondaryEmail ? [['email', 'menu.secondaryEmail'] as [string, MessageKey]] : []),
    ['help', 'menu.help'],
  ];
  const buttons = actions.map(([action, key]) =>
    button(`${ACTION.homePrefix}${action}`, t(key), `menu:${action}`),
  );
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: plain(t('slack.homeTitle')) },
      section(t('menu.greeting')),
      { type: 'actions', block_id: 'home-actions', elements: buttons },
      context(t('slack.homeHint')),
    ],
  };
}

function label(text: string): string {
  return text.length <= MAX_MODAL_LABEL ? text : `${text.slice(0, MAX_MODAL_LABEL - 1)}…`;
}
