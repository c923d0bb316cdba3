import type { Dialog } from '../src/engine/dialog.js';
import { menuDialog } from './menu.js';
import { resetDialog } from './reset.js';
import { secondaryEmailDialog } from './secondary-email.js';
import { unlockDialog } from './unlock.js';
import { verifyDialog } from './verify.js';

/** Every conversation the bot holds, for the flow engine. */
export const dialogs: readonly Dialog[] = [
  menuDialog,
  verifyDialog,
  resetDialog,
  unlockDialog,
  secondaryEmailDialog,
];
