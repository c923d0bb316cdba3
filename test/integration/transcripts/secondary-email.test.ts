import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBind, createUser } from '../../harness/ad-users.js';
import { services } from '../../harness/services.js';
import { startTestApp, type TestApp } from '../../harness/test-app.js';
import { EngineDriver } from '../../transcripts/engine-driver.js';
import {
  e164Of,
  registerEmail,
  submitPassword,
  textOf,
  verifyBySms,
} from '../../transcripts/journeys.js';

let bot: TestApp;

beforeAll(async () => {
  // The clock moves on between conversations here, but Redis keeps real time, so the
  // resend cooldown and hourly caps would count sends that are "hours" apart.
  bot = await startTestApp({
    SECONDARY_EMAIL_BLOCKED_DOMAINS: 'mailinator.com,tempmail.test',
    CODE_RESEND_COOLDOWN_SECONDS: '0',
    CODE_MAX_SENDS_PER_ACCOUNT_PER_HOUR: '20',
  });
});
afterAll(async () => {
  await bot?.close();
});

const samba = () => services().samba();
const personal = (name: string) => `${name}.home@example.org`;
/** Longer than the verification window and the idle timeout. */
const LATER = 11 * 60_000;

describe('registering a secondary e-mail', () => {
  it('registers, confirms, and later verifies a reset by e-mail', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);

    const registered = await registerEmail(chat, bot, user, personal(user.sAMAccountName));
    expect(textOf(registered)).toContain(
      `Done: ${personal(user.sAMAccountName)} is now your secondary e-mail.`,
    );
    const record = await bot.app.services.registrations.get(chat.chatKey);
    expect(record?.secondaryEmail).toBe(personal(user.sAMAccountName));
    expect(record?.emailVerifiedAt).toBeInstanceOf(Date);

    const notice = await bot.mail.next(user.mail);
    expect(notice.subject).toContain('was registered');
    expect(notice.html).not.toMatch(/<img|src=|https?:\/\//i);
    expect(bot.twilio.messages.at(-1)?.body).toContain('was registered');

    bot.advance(LATER);
    const later = new EngineDriver(bot.app.engine, user.upn, { userId: chat.userId });
    const offered = await later.say('reset');
    expect(offered.at(-1)?.buttons.map((button) => button.value)).toEqual(['sms', 'email']);
    const asked = await later.click('email');
    expect(textOf(asked)).toContain(`${user.sAMAccountName.slice(0, 1)}•••@example.org`);
    const sent = await later.say(
      personal(user.sAMAccountName).replace('example.org', 'EXAMPLE.org'),
    );
    expect(textOf(sent)).toContain('I sent a 6-digit code to');
    const form = await later.say(await bot.mailCode(personal(user.sAMAccountName)));
    expect(form.at(-1)?.form).toBeDefined();
    expect(textOf(await submitPassword(later, 'Mailed-Code-Reset-5'))).toContain('Done');
    expect(await canBind(samba(), user.upn, 'Mailed-Code-Reset-5')).toBe(true);
  });

  it('answers a wrong address neutrally and sends nothing', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await registerEmail(chat, bot, user, personal(user.sAMAccountName));
    bot.advance(LATER);
    const mailsBefore = bot.mail.mails.length;

    await chat.say('reset');
    await chat.click('email');
    const wrong = await chat.say('someone.else@example.org');

    expect(textOf(wrong)).toContain('does not match the one on file, so no code was sent');
    expect(bot.mail.mails.length).toBe(mailsBefore);
  });

  it('voids the confirmation code after three wrong attempts, and stores nothing', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await verifyBySms(chat, bot, user, 'email');
    await chat.click('register');
    await chat.say(personal(user.sAMAccountName));
    const code = await bot.mailCode(personal(user.sAMAccountName));
    const wrong = code === '999999' ? '888888' : '999999';

    await chat.say(wrong);
    await chat.say(wrong);
    expect(textOf(await chat.say(wrong))).toContain('no longer valid');
    expect(textOf(await chat.say(code))).toContain('no longer valid');

    expect(
      (await bot.app.services.registrations.get(chat.chatKey))?.secondaryEmail,
    ).toBeUndefined();
  });

  it('refuses a blocked domain, the work address, and accepts an IDN address', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await verifyBySms(chat, bot, user, 'email');
    await chat.click('register');

    expect(textOf(await chat.say('someone@mailinator.com'))).toContain(
      'Addresses at mailinator.com are not accepted',
    );
    expect(textOf(await chat.say(user.mail.toUpperCase()))).toContain('is a work address');
    expect(textOf(await chat.say('no-at-sign.example.org'))).toContain('needs one @');

    const idn = `${user.sAMAccountName}@bücher-straße.de`;
    expect(textOf(await chat.say(idn))).toContain('I sent a code to');
    const mail = await bot.mail
      .next(idn)
      .catch(() => bot.mail.next(`${user.sAMAccountName}@xn--bcher-strae-2ib.de`));
    const code = /\b(\d{6})\b/.exec(mail.text ?? '')?.[1] ?? '';
    expect(textOf(await chat.say(code))).toContain('is now your secondary e-mail');
    expect((await bot.app.services.registrations.get(chat.chatKey))?.secondaryEmail).toBe(idn);
  });
});

describe('managing the secondary e-mail', () => {
  it('needs SMS again to change an address, even right after an e-mail verification', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await registerEmail(chat, bot, user, personal(user.sAMAccountName));
    bot.advance(LATER);
    await chat.say('reset');
    await chat.click('email');
    await chat.say(personal(user.sAMAccountName));
    await chat.say(await bot.mailCode(personal(user.sAMAccountName)));
    await chat.say('menu');

    const manage = await chat.say('secondary e-mail');

    expect(textOf(manage)).toContain('first check by SMS');
    await chat.say(user.mobile ?? '');
    const shown = await chat.say(await bot.smsCode(e164Of(user)));
    expect(textOf(shown)).toContain(
      `Your secondary e-mail is ${user.sAMAccountName.slice(0, 1)}•••@example.org`,
    );
    await chat.click('change');
    await chat.say(`${user.sAMAccountName}.new@example.org`);
    const changed = await chat.say(await bot.mailCode(`${user.sAMAccountName}.new@example.org`));
    expect(textOf(changed)).toContain('is now your secondary e-mail');
    const notices = await bot.app.services.audit.recent({ accountDn: user.dn, limit: 30 });
    expect(notices.map((event) => event.action)).toContain('email.changed');
  });

  it('removes the address, after which e-mail is no longer offered', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await registerEmail(chat, bot, user, personal(user.sAMAccountName));
    await verifyBySms(chat, bot, user, 'email');

    const removed = await chat.click('remove');

    expect(textOf(removed)).toContain('your secondary e-mail was removed');
    const notice = await bot.mail.next(user.mail);
    expect(notice.subject).toContain('registered');
    const removal = await bot.mail.next(user.mail);
    expect(removal.subject).toContain('removed');
    bot.advance(LATER);
    const reset = await chat.say('reset');
    expect(textOf(reset)).toContain(`ending in ${e164Of(user).slice(-4)}`);
    expect(reset.flatMap((reply) => reply.buttons).map((button) => button.value)).not.toContain(
      'email',
    );
  });

  it('preselects the preferred method, and lets the user switch', async () => {
    const user = await createUser(samba());
    const chat = new EngineDriver(bot.app.engine, user.upn);
    await registerEmail(chat, bot, user, personal(user.sAMAccountName));
    await verifyBySms(chat, bot, user, 'email');

    expect(textOf(await chat.click('preferEmail'))).toContain('codes now go by e-mail by default');
    expect((await bot.app.services.registrations.get(chat.chatKey))?.preferredMethod).toBe('email');
    bot.advance(LATER);
    const offered = await chat.say('reset');
    expect(offered.at(-1)?.buttons.map((button) => button.value)).toEqual(['email', 'sms']);
    expect(textOf(await chat.click('sms'))).toContain(`ending in ${e164Of(user).slice(-4)}`);
  });

  it('leaves one consistent record when two replicas confirm at once', async () => {
    const user = await createUser(samba());
    const second = await startTestApp({
      REDIS_KEY_PREFIX: bot.config.REDIS_KEY_PREFIX,
      MONGODB_URI: bot.config.MONGODB_URI ?? '',
      CODE_HASH_KEY: bot.config.CODE_HASH_KEY ?? '',
    });
    try {
      const chat = new EngineDriver(bot.app.engine, user.upn);
      await verifyBySms(chat, bot, user, 'email');
      await chat.click('register');
      await chat.say(personal(user.sAMAccountName));
      const code = await bot.mailCode(personal(user.sAMAccountName));
      const other = new EngineDriver(second.app.engine, user.upn, { userId: chat.userId });

      const [a, b] = await Promise.all([chat.say(code), other.say(code)]);

      const outcomes = [textOf(a), textOf(b)];
      expect(outcomes.filter((text) => text.includes('is now your secondary e-mail'))).toHaveLength(
        1,
      );
      const record = await bot.app.services.registrations.get(chat.chatKey);
      expect(record?.secondaryEmail).toBe(personal(user.sAMAccountName));
      expect(record?.accountDn).toBe(user.dn);
    } finally {
      await second.close();
    }
  });
});
