import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUser } from '../../harness/ad-users.js';
import { services } from '../../harness/services.js';
import { startTestApp, type TestApp } from '../../harness/test-app.js';
import { EngineDriver } from '../../transcripts/engine-driver.js';
import { e164Of, textOf } from '../../transcripts/journeys.js';

// A separate file with a short TTL and cooldown, so that its waiting runs beside the rest.
let bot: TestApp;

beforeAll(async () => {
  bot = await startTestApp({ CODE_TTL_SECONDS: '10', CODE_RESEND_COOLDOWN_SECONDS: '3' });
});
afterAll(async () => {
  await bot?.close();
});

it('refuses an expired code, then sends a new one on request', async () => {
  const user = await createUser(services().samba());
  const chat = new EngineDriver(bot.app.engine, user.upn);
  await chat.say('reset');
  await chat.say(user.mobile ?? '');
  const code = await bot.smsCode(e164Of(user));

  await new Promise((resolve) => setTimeout(resolve, 11_000));
  const late = await chat.say(code);

  expect(textOf(late)).toContain('no longer valid');
  const resent = await chat.click('resend');
  expect(textOf(resent)).toContain('I sent a 6-digit code by SMS');
  const fresh = await bot.smsCode(e164Of(user));
  expect((await chat.say(fresh)).at(-1)?.form).toBeDefined();
}, 30_000);
