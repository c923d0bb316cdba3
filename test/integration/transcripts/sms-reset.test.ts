import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBind, createUser, lockOut, readAttributes } from '../../harness/ad-users.js';
import { services } from '../../harness/services.js';
import { startTestApp, type TestApp } from '../../harness/test-app.js';
import { EngineDriver } from '../../transcripts/engine-driver.js';
import { e164Of, submitPassword, textOf, verifyBySms } from '../../transcripts/journeys.js';

/*
 * Whole conversations through the flow engine on the production wiring: Samba AD through
 * the least-privilege service account, Redis, FerretDB, the Twilio stand-in and SMTP.
 */

let bot: TestApp;

beforeAll(async () => {
  bot = await startTestApp();
});
afterAll(async () => {
  await bot?.close();
});

const samba = () => services().samba();

/** Runs samba-tool on the test domain's database, for settings ldapts cannot make. */
function sambaTool(args: string[]): void {
  execFileSync('samba-tool', [...args, '-s', samba().smbConf], { stdio: 'pipe', timeout: 30_000 });
}

describe('password reset verified by SMS', () => {
  it('resets the password, and the new password binds', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);

    const form = await verifyBySms(chat, bot, user, 'reset');
    expect(form.at(-1)?.form?.fields).toEqual(['newPassword', 'confirmPassword']);
    const done = await submitPassword(chat, 'Fresh-Start-2026!');

    expect(textOf(done)).toContain('Done: your password has been changed');
    expect(await canBind(samba(), user.upn, 'Fresh-Start-2026!')).toBe(true);
    expect(await canBind(samba(), user.upn, user.password)).toBe(false);
    const events = await bot.app.services.audit.recent({ accountDn: user.dn, limit: 10 });
    expect(events.map((event) => event.action)).toEqual(
      expect.arrayContaining(['code.sent', 'verify.succeeded', 'password.reset']),
    );
    expect(JSON.stringify(events)).not.toContain('Fresh-Start-2026!');
  });

  it('sets a non-ASCII password that binds', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await verifyBySms(chat, bot, user, 'reset');

    const done = await submitPassword(chat, 'Şifre-Güçlü-42ä');

    expect(textOf(done)).toContain('Done: your password has been changed');
    expect(await canBind(samba(), user.upn, 'Şifre-Güçlü-42ä')).toBe(true);
  });

  it('explains each local policy rule, then lets the user try again', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await verifyBySms(chat, bot, user, 'reset');

    const short = await submitPassword(chat, 'aB1!');
    expect(textOf(short)).toContain('too short: it needs at least');
    const simple = await submitPassword(chat, 'alllowercase');
    expect(textOf(simple)).toContain('at least three of these groups');
    const named = await submitPassword(chat, `X-${user.sAMAccountName}-9z`);
    expect(textOf(named)).toContain('must not contain your account name');
    const mismatch = await submitPassword(chat, 'Fresh-Start-2026!', 'Fresh-Start-2027!');
    expect(textOf(mismatch)).toContain('do not match');

    expect(await canBind(samba(), user.upn, user.password)).toBe(true);
    const done = await submitPassword(chat, 'Fresh-Start-2026!');
    expect(textOf(done)).toContain('Done');
  });

  it("passes on AD's refusal under a stricter fine-grained policy", async () => {
    const user = await createUser(samba());
    const policy = `sspr-strict-${user.sAMAccountName}`;
    sambaTool(['domain', 'passwordsettings', 'pso', 'create', policy, '1', '--min-pwd-length=20']);
    sambaTool(['domain', 'passwordsettings', 'pso', 'apply', policy, user.sAMAccountName]);
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await verifyBySms(chat, bot, user, 'reset');

    const refused = await submitPassword(chat, 'Long-Enough-Pass-1');

    expect(textOf(refused)).toContain('rejected that password although it meets the rules I check');
    expect(refused.at(-1)?.form).toBeDefined();
    expect(await canBind(samba(), user.upn, user.password)).toBe(true);
    const events = await bot.app.services.audit.recent({ accountDn: user.dn, limit: 20 });
    expect(events.find((event) => event.action === 'password.reset_failed')?.reason).toBe(
      'DIRECTORY_REJECTED',
    );
    const done = await submitPassword(chat, 'Long-Enough-Pass-For-The-Policy-1');
    expect(textOf(done)).toContain('Done');
  });

  it('discards a password typed into the chat and asks for the secure form', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await verifyBySms(chat, bot, user, 'reset');

    const replies = await chat.say('Typed-In-Chat-1!');

    expect(textOf(replies)).toContain('never type a password into the chat');
    expect(chat.results.at(-1)?.discardUserMessage).toBe(true);
    expect(await canBind(samba(), user.upn, 'Typed-In-Chat-1!')).toBe(false);
  });
});

describe('account unlock verified by SMS', () => {
  it('unlocks an account that bad binds locked', async () => {
    const user = await createUser(samba());
    await lockOut(samba(), user);

    const chat = new EngineDriver(bot.app.engine, user.upn);
    const done = await verifyBySms(chat, bot, user, 'unlock');

    expect(textOf(done)).toContain('Done: your account is unlocked');
    const attributes = await readAttributes(samba(), user.dn, ['lockoutTime']);
    expect(String(attributes.lockoutTime ?? '0')).toBe('0');
    expect(await canBind(samba(), user.upn, user.password)).toBe(true);
  });

  it('says so when the account is not locked, and sends no SMS', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);

    const replies = await chat.say('unlock');

    expect(textOf(replies)).toContain('your account is not locked');
    expect(bot.twilio.messages.filter((message) => message.to === e164Of(user))).toHaveLength(0);
  });

  it('unlocks as part of a reset', async () => {
    const user = await createUser(samba());
    await lockOut(samba(), user);
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await verifyBySms(chat, bot, user, 'reset');

    const done = await submitPassword(chat, 'Unlocked-By-Reset-7');

    expect(textOf(done)).toContain('changed and your account is unlocked');
    expect(await canBind(samba(), user.upn, 'Unlocked-By-Reset-7')).toBe(true);
  });
});

describe('codes', () => {
  it('voids the code after three wrong attempts', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await chat.say('reset');
    await chat.say(user.mobile ?? '');
    const code = await bot.smsCode(e164Of(user));
    const wrong = code === '000000' ? '111111' : '000000';

    expect(textOf(await chat.say(wrong))).toContain('Attempts left: 2.');
    expect(textOf(await chat.say(wrong))).toContain('Attempts left: 1.');
    expect(textOf(await chat.say(wrong))).toContain('no longer valid');
    const late = await chat.say(code);

    expect(textOf(late)).toContain('no longer valid');
    expect(late.some((reply) => reply.form)).toBe(false);
    const events = await bot.app.services.audit.recent({ accountDn: user.dn, limit: 10 });
    expect(events.filter((event) => event.action === 'verify.failed')).toHaveLength(4);
  });

  it('holds back a new code until the cooldown has passed', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await chat.say('reset');
    await chat.say(user.mobile ?? '');
    await bot.smsCode(e164Of(user));

    const early = await chat.say('resend');

    expect(textOf(early)).toMatch(/new code in \d+ seconds/);
    expect(bot.twilio.messages.filter((message) => message.to === e164Of(user))).toHaveLength(1);
  });

  it('explains a Twilio refusal, audits it, and keeps no code', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await chat.say('reset');
    bot.twilio.failNext(21614);

    const replies = await chat.say(user.mobile ?? '');

    expect(textOf(replies)).toContain('cannot receive text messages, so no SMS was sent');
    const events = await bot.app.services.audit.recent({ accountDn: user.dn, limit: 10 });
    expect(events.find((event) => event.action === 'code.send_failed')?.reason).toBe(
      'SMS_NOT_MOBILE',
    );
    expect(textOf(await chat.say('123456'))).not.toContain('Attempts left');
  });

  it('accepts a code typed with spaces, and explains one with letters', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await chat.say('reset');
    await chat.say(user.mobile ?? '');
    const code = await bot.smsCode(e164Of(user));

    expect(textOf(await chat.say('12a45b'))).toContain('characters other than digits');
    const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;
    const form = await chat.say(spaced);
    expect(form.at(-1)?.form).toBeDefined();
  });
});

describe('refusals', () => {
  it('refuses a disabled account with the neutral reply, and sends nothing', async () => {
    const user = await createUser(samba(), { disabled: true });
    const chat = new EngineDriver(bot.app.engine, user.upn);

    const replies = await chat.say('reset');

    expect(textOf(replies)).toContain('Self-service is not available for this chat account');
    expect(bot.twilio.messages.filter((message) => message.to === e164Of(user))).toHaveLength(0);
  });

  it('refuses a privileged account the service account could reset', async () => {
    const user = await createUser(samba(), { privileged: true });
    const chat = new EngineDriver(bot.app.engine, user.upn);

    const replies = await chat.say('reset');

    expect(textOf(replies)).toContain('Self-service is not available for this chat account');
    expect(await canBind(samba(), user.upn, user.password)).toBe(true);
  });

  it('gives an unknown identity the same reply as a refused one', async () => {
    const chat = new EngineDriver(bot.app.engine, 'nobody@corp.example.test');
    const injected = new EngineDriver(bot.app.engine, '*)(userPrincipalName=*');

    expect(textOf(await chat.say('reset'))).toContain(
      'Self-service is not available for this chat account',
    );
    expect(textOf(await injected.say('reset'))).toContain(
      'Self-service is not available for this chat account',
    );
  });

  it('refuses, and changes nothing, for an account outside the delegated OU', async () => {
    const user = await createUser(samba(), { ou: 'outside' });
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await verifyBySms(chat, bot, user, 'reset');

    const refused = await submitPassword(chat, 'Outside-Attempt-9');

    expect(textOf(refused)).toContain(
      'I am not allowed to change this account. Nothing was changed.',
    );
    expect(await canBind(samba(), user.upn, user.password)).toBe(true);
    expect(await canBind(samba(), user.upn, 'Outside-Attempt-9')).toBe(false);
    const events = await bot.app.services.audit.recent({ accountDn: user.dn, limit: 10 });
    expect(events.find((event) => event.action === 'password.reset_failed')?.reason).toBe(
      'DIRECTORY_INSUFFICIENT_RIGHTS',
    );
  });

  it('tells a user whose AD number is malformed to call the helpdesk', async () => {
    const user = await createUser(samba(), { mobile: 'call reception ext 12' });
    const chat = new EngineDriver(bot.app.engine, user.upn);

    const replies = await chat.say('reset');

    expect(textOf(replies)).toContain('no usable mobile number is on file');
  });
});

describe('the number check', () => {
  it('accepts the number in any local format, and answers a wrong one neutrally', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await chat.say('reset');
    const national = `0${e164Of(user).slice(3)}`;

    expect(textOf(await chat.say('+90 555 000 00 00'))).toContain('does not match what is on file');
    expect(textOf(await chat.say('not a number ☎'))).toContain('is not a phone number I can read');
    expect(textOf(await chat.say(national))).toContain('I sent a 6-digit code by SMS');
  });
});
