import { expect } from 'vitest';
import { normalisePhone } from '../../src/sms/phone-number.js';
import type { TestUser } from '../harness/ad-users.js';
import type { ChatDriver, SeenReply } from './chat-driver.js';

/** Where a transcript fetches the codes the bot sends. */
export interface CodeSource {
  smsCode(e164: string): Promise<string>;
  mailCode(address: string): Promise<string>;
}

export function e164Of(user: Pick<TestUser, 'mobile'>): string {
  const parsed = normalisePhone(user.mobile ?? '', 'TR');
  if (!parsed.ok) throw new Error(`test user has no usable mobile: ${user.mobile}`);
  return parsed.e164;
}

export function textOf(replies: readonly SeenReply[]): string {
  return replies.map((reply) => reply.text).join('\n');
}

/**
 * Starts `purpose` from the menu and passes SMS verification: confirms the full number,
 * reads the texted code and types it. Returns the replies to the code.
 */
export async function verifyBySms(
  chat: ChatDriver,
  codes: CodeSource,
  user: Pick<TestUser, 'mobile'>,
  purpose: 'reset' | 'unlock' | 'email',
): Promise<SeenReply[]> {
  const started = await chat.say(purpose === 'email' ? 'secondary e-mail' : purpose);
  const e164 = e164Of(user);
  let asked = textOf(started);
  if (purpose === 'email') {
    expect(asked).toContain('first check by SMS');
  }
  if (asked.includes('How would you like to receive your code?')) {
    asked = textOf(await chat.click('sms'));
  }
  expect(asked).toContain(`ending in ${e164.slice(-4)}`);
  const sent = await chat.say(user.mobile ?? '');
  expect(textOf(sent)).toContain('I sent a 6-digit code by SMS');
  return chat.say(await codes.smsCode(e164));
}

/** Submits a new password in the secure form and returns the replies. */
export function submitPassword(
  chat: ChatDriver,
  password: string,
  confirmation = password,
): Promise<SeenReply[]> {
  return chat.submit({ newPassword: password, confirmPassword: confirmation });
}

/**
 * From a fresh conversation: SMS verification, then registers and confirms `address` as the
 * secondary e-mail. Returns the replies to the confirming code.
 */
export async function registerEmail(
  chat: ChatDriver,
  codes: CodeSource,
  user: Pick<TestUser, 'mobile'>,
  address: string,
): Promise<SeenReply[]> {
  const manage = await verifyBySms(chat, codes, user, 'email');
  expect(textOf(manage)).toContain('You have no secondary e-mail yet.');
  await chat.click('register');
  const sent = await chat.say(address);
  expect(textOf(sent)).toContain('I sent a code to');
  return chat.say(await codes.mailCode(address));
}
