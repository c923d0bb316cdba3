/** Commands that work at every step of every flow. */
export type GlobalCommand = 'cancel' | 'help' | 'menu';

const COMMANDS: Readonly<Record<string, GlobalCommand>> = {
  cancel: 'cancel',
  stop: 'cancel',
  quit: 'cancel',
  exit: 'cancel',
  abort: 'cancel',
  help: 'help',
  '?': 'help',
  menu: 'menu',
  restart: 'menu',
  'start over': 'menu',
  start: 'menu',
  hi: 'menu',
  hello: 'menu',
  hey: 'menu',
};

/** Returns the global command that the whole message names, if any. */
export function classifyText(text: string): GlobalCommand | undefined {
  const normalised = text
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/^\/+/, '')
    .replace(/[.!]+$/, '')
    .replace(/\s+/g, ' ');
  return COMMANDS[normalised];
}
