import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBind, createUser, lockOut, readAttributes } from '../../harness/ad-users.js';
import { type ChatServer, startChatServer } from '../../harness/chat-server.js';
import { services } from '../../harness/services.js';
import { registerEmail, submitPassword, textOf, verifyBySms } from '../../transcripts/journeys.js';

/*
 * The same transcripts, word for word, through Slack and through Teams, served together
 * on one HTTP server as in production.
 */

let chat: ChatServer;

beforeAll(async () => {
  chat = await startChatServer({ CODE_RESEND_COOLDOWN_SECONDS: '0' });
});
afterAll(async () => {
  await chat?.close();
});

const samba = () => services().samba();

describe.each(['slack', 'teams'] as const)('through %s', (platform) => {
  it('resets a password verified by SMS', async () => {
    const user = await createUser(samba());
    const driver = chat.userOn(platform, user.upn);

    await verifyBySms(driver, chat.bot, user, 'reset');
    const done = await submitPassword(driver, `${platform}-Reset-2026!`);

    expect(textOf(done)).toContain('Done: your password has been changed');
    expect(await canBind(samba(), user.upn, `${platform}-Reset-2026!`)).toBe(true);
  });

  it('unlocks an account that bad binds locked', async () => {
    const user = await createUser(samba());
    await lockOut(samba(), user);
    const driver = chat.userOn(platform, user.upn);

    const done = await verifyBySms(driver, chat.bot, user, 'unlock');

    expect(textOf(done)).toContain('Done: your account is unlocked');
    const attributes = await readAttributes(samba(), user.dn, ['lockoutTime']);
    expect(String(attributes.lockoutTime ?? '0')).toBe('0');
  });

  it('registers a secondary e-mail, then resets with a mailed code', async () => {
    const user = await createUser(samba());
    const driver = chat.userOn(platform, user.upn);
    const address = `${user.sAMAccountName}.${platform}@example.org`;

    const registered = await registerEmail(driver, chat.bot, user, address);
    expect(textOf(registered)).toContain(`Done: ${address} is now your secondary e-mail.`);
    chat.bot.advance(11 * 60_000);
    await driver.say('reset');
    await driver.click('email');
    expect(textOf(await driver.say(address))).toContain('I sent a 6-digit code to');
    await driver.say(await chat.bot.mailCode(address));
    const done = await submitPassword(driver, `${platform}-Mailed-Reset-8`);

    expect(textOf(done)).toContain('Done: your password has been changed');
    expect(await canBind(samba(), user.upn, `${platform}-Mailed-Reset-8`)).toBe(true);
  });

  it('gives an unknown identity the neutral reply', async () => {
    const driver = chat.userOn(platform, 'nobody@corp.example.test');

    expect(textOf(await driver.say('reset'))).toContain(
      'Self-service is not available for this chat account',
    );
  });
});
