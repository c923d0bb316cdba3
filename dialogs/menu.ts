import { type Dialog, type FlowContext, goto, type Outcome, text } from '../src/engine/dialog.js';
import type { TurnInput } from '../src/engine/turn.js';

type Action = 'reset' | 'unlock' | 'email' | 'help';

/** Words that pick a menu action when typed instead of clicked. */
const KEYWORDS: readonly [RegExp, Action][] = [
  [/\b(reset|password|forgot|şifre|parola)\b/i, 'reset'],
  [/\b(unlock|locked|lockout|kilit)/i, 'unlock'],
  [/\b(e-?mail|secondary|alternate)\b/i, 'email'],
  [/\bhelp\b/i, 'help'],
];

/** The main menu: where every conversation starts and where finished flows return. */
export const menuDialog: Dialog = {
  id: 'menu',
  begin: async (context, data) => {
    const input = data.input as TurnInput | undefined;
    const action = input ? actionOf(input) : undefined;
    if (action) return run(context, action);
    return showMenu(context, context.t('menu.greeting'));
  },
  steps: {
    choose: async (context, input) => {
      const action = actionOf(input);
      if (action) return run(context, action);
      // The text is not quoted back, because it may be a password typed in the wrong place.
      return showMenu(context, context.t('menu.unknown'));
    },
  },
};

function showMenu(context: FlowContext, intro: string): Outcome {
  const choices = [
    { value: 'reset', label: context.t('menu.reset') },
    { value: 'unlock', label: context.t('menu.unlock') },
    ...(context.config.SECONDARY_EMAIL_ENABLED
      ? [{ value: 'email', label: context.t('menu.secondaryEmail') }]
      : []),
    { value: 'help', label: context.t('menu.help') },
  ];
  return goto('menu', 'choose', {}, [
    text(intro),
    context.choices(context.t('menu.prompt'), choices),
  ]);
}

function run(context: FlowContext, action: Action): Promise<Outcome> | Outcome {
  if (action === 'help') return showMenu(context, context.t('help.text'));
  if (action === 'email' && !context.config.SECONDARY_EMAIL_ENABLED) {
    return showMenu(context, context.t('menu.greeting'));
  }
  return context.enter(action === 'email' ? 'email' : action, {});
}

function actionOf(input: TurnInput): Action | undefined {
  if (input.kind === 'choice') {
    const value = input.value.replace(/^menu:/, '');
    return ['reset', 'unlock', 'email', 'help'].includes(value) ? (value as Action) : undefined;
  }
  if (input.kind !== 'text') return undefined;
  return KEYWORDS.find(([pattern]) => pattern.test(input.text))?.[1];
}
