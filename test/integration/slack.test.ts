import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/slack-adapter.js';
import { en } from '../../src/i18n/messages.en.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/http-server.js';
import type { PlatformAdapter } from '../../src/server/platform-adapter.js';
import { type CapturedLog, captureLog } from '../contracts/log-capture.js';
import {
  canBind,
  createUser,
  lockOut,
  readAttributes,
  type TestUser,
} from '../harness/ad-users.js';
import { services } from '../harness/services.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { type SlackApiStandIn, startSlackApiStandIn } from '../standins/slack-api.js';
import {
  e164Of,
  registerEmail,
  submitPassword,
  textOf,
  verifyBySms,
} from '../transcripts/journeys.js';
import { buttonsOf, choiceValueOf, SlackDriver, slackTs } from '../transcripts/slack-driver.js';

/*
 * The Slack adapter on the shared HTTP server, driven by signed requests in Slack's
 * payload shapes. The Web API is a local stand-in; AD, Redis, MongoDB, SMTP and the
 * Twilio stand-in are the production wiring of the test app.
 */

interface SlackBot {
  readonly app: TestApp;
  readonly api: SlackApiStandIn;
  readonly log: CapturedLog;
  readonly signingSecret: string;
  readonly botUrl: string;
  /** A Slack user whose profile e-mail is `email`, and a driver for their DM. */
  user(email: string | undefined): SlackDriver;
  close(): Promise<void>;
}

async function startSlackBot(settings: Record<string, string> = {}): Promise<SlackBot> {
  const api = await startSlackApiStandIn();
  const signingSecret = randomBytes(16).toString('hex');
  const app = await startTestApp({
    SLACK_BOT_TOKEN: api.token,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: api.url,
    ...settings,
  });
  const log = captureLog();
  const adapter: PlatformAdapter = createSlackAdapter({
    config: app.config,
    engine: app.app.engine,
    logger: log.logger,
  });
  const mount = adapter.mount;
  if (!mount) throw new Error('the Slack adapter mounted no routes in HTTP mode');
  const server: RunningHttpServer = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    mounts: [mount],
    healthCheck: async () => {},
    logger: log.logger,
  });
  await adapter.start();
  const botUrl = `http://127.0.0.1:${server.port}/slack/events`;

  return {
    app,
    api,
    log,
    signingSecret,
    botUrl,
    user(email) {
      const userId = `U${randomBytes(5).toString('hex').toUpperCase()}`;
      api.users.set(userId, email === undefined ? {} : { email });
      return new SlackDriver({ botUrl, signingSecret, api, userId });
    },
    async close() {
      await adapter.stop();
      await server.close();
      await app.close();
      await api.close();
    },
  };
}

const samba = () => services().samba();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Web API calls from index `since` on, by method. */
function methodsSince(api: SlackApiStandIn, since: number): string[] {
  return api.calls.slice(since).map((call) => call.method);
}

/** Texts the bot posted to `channel` from call `since` on. */
function postedTexts(api: SlackApiStandIn, channel: string, since = 0): string[] {
  return api.calls
    .slice(since)
    .filter((call) => call.method === 'chat.postMessage' && call.args.channel === channel)
    .map((call) => String(call.args.text));
}

let bot: SlackBot;

beforeAll(async () => {
  bot = await startSlackBot();
});
afterAll(async () => {
  await bot?.close();
});

describe('slack request verification', () => {
  it('answers 401 to a bad signature and runs nothing', async () => {
    const chat = bot.user('someone@corp.example.test');
    const since = bot.api.calls.length;

    const response = await chat.sendMessage('hi', { signWith: 'not-the-signing-secret' });
    await sleep(500);

    expect(response.status).toBe(401);
    expect(methodsSince(bot.api, since)).toEqual([]);
  });

  it('answers 401 to a timestamp older than 5 minutes', async () => {
    const chat = bot.user('someone@corp.example.test');
    const since = bot.api.calls.length;
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;

    const response = await chat.sendMessage('hi', { timestamp: sixMinutesAgo });
    await sleep(500);

    expect(response.status).toBe(401);
    expect(methodsSince(bot.api, since)).toEqual([]);
  });

  it('answers 401 to a timestamp in the future', async () => {
    const chat = bot.user('someone@corp.example.test');
    const since = bot.api.calls.length;
    const tenMinutesAhead = Math.floor(Date.now() / 1000) + 10 * 60;

    const response = await chat.sendMessage('hi', { timestamp: tenMinutesAhead });
    await sleep(500);

    expect(response.status).toBe(401);
    expect(methodsSince(bot.api, since)).toEqual([]);
  });

  it('acknowledges an unknown action in time', async () => {
    const chat = bot.user('someone@corp.example.test');
    const payload = {
      type: 'block_actions',
      user: { id: chat.userId, team_id: chat.teamId },
      team: { id: chat.teamId },
      actions: [{ action_id: 'not-an-action', block_id: 'b', type: 'button', value: 'x' }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

    const response = await chat.post(body, 'application/x-www-form-urlencoded');

    expect(response.status).toBe(200);
    expect(response.elapsedMs).toBeLessThan(3000);
  });

  it('answers 401 when the signature headers are missing', async () => {
    const response = await fetch(bot.botUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'event_callback', event: { type: 'message' } }),
    });
    expect(response.status).toBe(401);
  });
});

describe('slack url verification', () => {
  it('returns the challenge of a signed url_verification', async () => {
    const chat = bot.user(undefined);
    const body = JSON.stringify({
      token: 'deprecated',
      challenge: 'challenge-0123',
      type: 'url_verification',
    });

    const response = await chat.post(body, 'application/json');

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ challenge: 'challenge-0123' });
  });
});

describe('slack deliveries', () => {
  it('processes a retried event once', async () => {
    const chat = bot.user('someone@corp.example.test');
    const ts = slackTs();
    const event = {
      type: 'message',
      channel: chat.channel,
      user: chat.userId,
      text: 'hi',
      ts,
      channel_type: 'im',
    };
    const since = bot.api.calls.length;

    const first = await chat.sendEvent(event, { eventId: 'EvRETRY0001' });
    const replies = await chat.repliesSince(since);
    const retry = await chat.sendEvent(event, { eventId: 'EvRETRY0001', retryNum: 1 });
    await sleep(1000);

    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(textOf(replies)).toContain('What would you like to do?');
    const prompts = postedTexts(bot.api, chat.channel, since).filter((text) =>
      text.includes('What would you like'),
    );
    expect(prompts).toHaveLength(1);
  });

  it('ignores edits, bot messages and channel messages', async () => {
    const chat = bot.user('someone@corp.example.test');
    const user = chat.userId;
    const since = bot.api.calls.length;

    const edit = {
      type: 'message',
      subtype: 'message_changed',
      channel: chat.channel,
      ts: slackTs(),
      channel_type: 'im',
      message: { user, text: 'reset' },
    };
    const fromBot = {
      type: 'message',
      channel: chat.channel,
      bot_id: 'B0OTHER',
      user: 'U0OTHER',
      text: 'reset',
      ts: slackTs(),
      channel_type: 'im',
    };
    const own = {
      type: 'message',
      channel: chat.channel,
      user: bot.api.botUserId,
      text: 'reset',
      ts: slackTs(),
      channel_type: 'im',
    };
    const inChannel = {
      type: 'message',
      channel: 'C0GENERAL',
      user,
      text: 'reset',
      ts: slackTs(),
      channel_type: 'channel',
    };
    for (const event of [edit, fromBot, own, inChannel]) {
      expect((await chat.sendEvent(event)).status).toBe(200);
    }
    await sleep(800);

    expect(methodsSince(bot.api, since)).toEqual([]);
  });

  it('acknowledges before slow work and replies later', async () => {
    const chat = bot.user('someone@corp.example.test');
    const since = bot.api.calls.length;
    bot.api.setDelay(4000);
    try {
      const response = await chat.sendMessage('hi');
      const ackedAt = Date.now();
      expect(response.status).toBe(200);
      expect(response.elapsedMs).toBeLessThan(3000);
      expect(postedTexts(bot.api, chat.channel, since)).toEqual([]);

      // Every Web API call now takes 4 s, so the menu prompt comes after users.info and the greeting.
      const prompt = await bot.api.waitForCall(
        (call) =>
          call.method === 'chat.postMessage' &&
          String(call.args.text).includes('What would you like'),
        { since, timeoutMs: 20_000 },
      );
      expect(prompt.args.channel).toBe(chat.channel);
      expect(prompt.at).toBeGreaterThan(ackedAt);
    } finally {
      bot.api.setDelay(0);
    }
  });

  it('retries a rate-limited post after Retry-After', async () => {
    const chat = bot.user('someone@corp.example.test');
    bot.api.rateLimitNext('chat.postMessage', 1);
    const since = bot.api.calls.length;

    await chat.sendMessage('hi');
    await bot.api.waitForCall(
      (call) =>
        call.method === 'chat.postMessage' &&
        String(call.args.text).includes('What would you like'),
      { since },
    );

    const posts = bot.api.calls.slice(since).filter((call) => call.method === 'chat.postMessage');
    expect(posts[0]?.response.error).toBe('ratelimited');
    const retried = posts[1];
    expect(retried?.response.ok).toBe(true);
    expect((retried?.at ?? 0) - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('logs a rejected Web API call with its method and error', async () => {
    const chat = bot.user('someone@corp.example.test');
    bot.api.failNext('chat.postMessage', 'channel_not_found');
    const lines = bot.log.lines.length;

    await chat.sendMessage('hi');
    const failure = await waitForLog(bot.log, lines, 'slack api call failed');

    expect(failure.method).toBe('chat.postMessage');
    expect(failure.slackError).toBe('channel_not_found');
  });
});

describe('slack conversations', () => {
  it('answers a channel mention with a pointer to the DM only', async () => {
    const user = await createUser(samba());
    const chat = bot.user(user.upn);
    const userId = chat.userId;
    const since = bot.api.calls.length;

    const response = await chat.sendEvent({
      type: 'app_mention',
      user: userId,
      text: `<@${bot.api.botUserId}> reset my password`,
      ts: slackTs(),
      channel: 'C0GENERAL',
      event_ts: slackTs(),
    });
    const answer = await bot.api.waitForCall((call) => call.method === 'chat.postEphemeral', {
      since,
    });

    expect(response.status).toBe(200);
    expect(answer.args.channel).toBe('C0GENERAL');
    expect(answer.args.user).toBe(userId);
    expect(String(answer.args.text)).toContain('only handle password resets in a direct message');
    const everything = JSON.stringify(bot.api.calls.slice(since));
    expect(everything).not.toContain(user.sAMAccountName);
    expect(everything).not.toContain(e164Of(user).slice(-4));
    expect(methodsSince(bot.api, since)).not.toContain('users.info');
    expect(methodsSince(bot.api, since)).not.toContain('chat.postMessage');
  });

  it('gives an e-mail unknown to AD the neutral reply', async () => {
    const chat = bot.user(`nobody-${randomBytes(3).toString('hex')}@corp.example.test`);
    const sent = bot.app.twilio.messages.length;

    const replies = await chat.say('reset my password');

    expect(textOf(replies)).toBe(en['account.notAvailable']);
    expect(bot.app.twilio.messages).toHaveLength(sent);
  });

  it('gives a disabled account the same reply as an unknown one', async () => {
    const user = await createUser(samba(), { disabled: true });
    const chat = bot.user(user.upn);
    const replies = await chat.say('reset my password');
    expect(textOf(replies)).toBe(en['account.notAvailable']);
  });

  it('gives a profile without e-mail the same neutral reply', async () => {
    const chat = bot.user(undefined);
    const replies = await chat.say('reset my password');
    expect(textOf(replies)).toBe(en['account.notAvailable']);
  });

  it('resets a password verified by SMS', async () => {
    const user = await createUser(samba());
    const chat = bot.user(user.upn);

    const form = await verifyBySms(chat, bot.app, user, 'reset');
    expect(form.at(-1)?.form?.fields).toEqual(['newPassword', 'confirmPassword']);

    const opened = await chat.openNewestForm();
    const hint = JSON.stringify(opened.blocks);
    expect(hint).toContain('Slack cannot hide what you type');
    expect(opened.blocks.filter((block) => block.type === 'input')).toHaveLength(2);

    const mismatch = await chat.submitView(opened, {
      newPassword: 'Fresh-Start-2026!',
      confirmPassword: 'Fresh-Start-2027!',
    });
    expect(mismatch.status).toBe(200);
    const inline = JSON.parse(mismatch.body) as {
      response_action: string;
      errors: Record<string, string>;
    };
    expect(inline.response_action).toBe('errors');
    expect(inline.errors.newPassword).toContain('do not match');

    // The modal stayed open: the user corrects it and submits the same view again.
    const since = bot.api.calls.length;
    const accepted = await chat.submitView(opened, {
      newPassword: 'Fresh-Start-2026!',
      confirmPassword: 'Fresh-Start-2026!',
    });
    expect(accepted.body).toBe('');
    const done = await chat.repliesSince(since);

    expect(textOf(done)).toContain('Done: your password has been changed');
    expect(await canBind(samba(), user.upn, 'Fresh-Start-2026!')).toBe(true);
    expect(await canBind(samba(), user.upn, user.password)).toBe(false);
    const formMessage = chat
      .dmMessages()
      .find((message) => JSON.stringify(message.blocks).includes('Form submitted.'));
    expect(formMessage).toBeDefined();
    expect(buttonsOf(formMessage?.blocks as never)).toEqual([]);
    expect(JSON.stringify(bot.api.calls)).not.toContain('Fresh-Start-2026!');
    expect(bot.log.text()).not.toContain('Fresh-Start-2026!');
  });

  it('shows a policy error inline and accepts the next try', async () => {
    const user = await createUser(samba());
    const chat = bot.user(user.upn);
    await verifyBySms(chat, bot.app, user, 'reset');

    const short = await submitPassword(chat, 'aB1!');
    expect(textOf(short)).toContain('too short: it needs at least');
    const done = await submitPassword(chat, 'Fresh-Start-2026!');

    expect(textOf(done)).toContain('Done: your password has been changed');
    expect(await canBind(samba(), user.upn, 'Fresh-Start-2026!')).toBe(true);
  });

  it('reopens a rejected form from its DM button', async () => {
    const user = await createUser(samba());
    const chat = bot.user(user.upn);
    await verifyBySms(chat, bot.app, user, 'reset');
    const first = await chat.openNewestForm();
    const submitted = bot.api.calls.length;
    const rejected = await chat.submitView(first, { newPassword: 'aB1!', confirmPassword: 'aB1!' });
    expect(rejected.body).toContain('too short');
    // The bot redraws the DM message with the re-offered form right after the inline error.
    await bot.api.waitForCall((call) => call.method === 'chat.update', { since: submitted });

    // The user closes the modal and opens the form again from the message.
    const second = await chat.openNewestForm();
    const since = bot.api.calls.length;
    const accepted = await chat.submitView(second, {
      newPassword: 'Fresh-Start-2026!',
      confirmPassword: 'Fresh-Start-2026!',
    });
    const done = await chat.repliesSince(since);

    expect(accepted.body).toBe('');
    expect(JSON.stringify(second.blocks)).toContain('too short');
    expect(textOf(done)).toContain('Done: your password has been changed');
  });

  it('tries to delete a password typed into the chat', async () => {
    const user = await createUser(samba());
    const chat = bot.user(user.upn);
    await verifyBySms(chat, bot.app, user, 'reset');
    const lines = bot.log.lines.length;

    const replies = await chat.say('Typed-In-Chat-99!');

    expect(textOf(replies)).toContain('never type a password into the chat');
    const refused = await waitForLog(bot.log, lines, 'slack api call rejected');
    expect(refused.method).toBe('chat.delete');
    expect(refused.slackError).toBe('cant_delete_message');
    expect(bot.log.text()).not.toContain('Typed-In-Chat-99!');
  });

  it('unlocks a locked account verified by SMS', async () => {
    const user = await createUser(samba());
    await lockOut(samba(), user);
    const chat = bot.user(user.upn);

    const done = await verifyBySms(chat, bot.app, user, 'unlock');

    expect(textOf(done)).toContain('Done: your account is unlocked');
    const { lockoutTime } = await readAttributes(samba(), user.dn, ['lockoutTime']);
    expect(lockoutTime?.[0] ?? '0').toBe('0');
    expect(await canBind(samba(), user.upn, user.password)).toBe(true);
  });

  it('registers a secondary e-mail that Slack sent as a link', async () => {
    const user = await createUser(samba());
    const chat = bot.user(user.upn);
    const address = `home-${randomBytes(3).toString('hex')}@example.org`;

    const done = await registerEmail(chat, bot.app, user, address);

    expect(textOf(done)).toContain(`Done: ${address} is now your secondary e-mail.`);
    const chatKey = `slack:${bot.api.teamId}:${chat.userId}`;
    const registration = await bot.app.app.services.registrations.get(chatKey);
    expect(registration?.secondaryEmail).toBe(address);
  });

  it('keys an Enterprise Grid user by enterprise id', async () => {
    const userId = `W${randomBytes(5).toString('hex').toUpperCase()}`;
    bot.api.users.set(userId, {
      email: `nobody-${randomBytes(3).toString('hex')}@corp.example.test`,
    });
    const chat = new SlackDriver({
      botUrl: bot.botUrl,
      signingSecret: bot.signingSecret,
      api: bot.api,
      userId,
      enterpriseId: 'E0GRID',
    });

    await chat.say('reset my password');

    const events = await bot.app.app.services.audit.recent({
      chatKey: `slack:E0GRID:${userId}`,
      limit: 5,
    });
    expect(events.map((event) => event.action)).toContain('account.refused');
  });

  it('removes the buttons of a pressed choice', async () => {
    const chat = bot.user('someone@corp.example.test');
    await chat.say('hi');
    const menu = chat.dmMessages().at(-1);

    await chat.click('help');

    const updated = bot.api.messages.find((message) => message.ts === menu?.ts);
    expect(buttonsOf(updated?.blocks as never)).toEqual([]);
    expect(JSON.stringify(updated?.blocks)).toContain('You picked: Help');
  });

  it('publishes App Home and starts a flow from its button', async () => {
    const user = await createUser(samba());
    const chat = bot.user(user.upn);
    const userId = chat.userId;
    const since = bot.api.calls.length;

    await chat.sendEvent({
      type: 'app_home_opened',
      user: userId,
      channel: chat.channel,
      tab: 'home',
      event_ts: slackTs(),
    });
    const published = await bot.api.waitForCall((call) => call.method === 'views.publish', {
      since,
    });
    expect(published.args.user_id).toBe(userId);
    const home = bot.api.views.get(String((published.response.view as { id: string }).id));
    const buttons = buttonsOf((home?.view.blocks ?? []) as never);
    expect(buttons.map(choiceValueOf)).toEqual([
      'menu:reset',
      'menu:unlock',
      'menu:email',
      'menu:help',
    ]);

    const reset = buttons[0];
    if (!reset || !home) throw new Error('no reset button on App Home');
    const clicked = bot.api.calls.length;
    await chat.clickHomeButton(home.id, home.view, reset);
    const replies = await chat.repliesSince(clicked);

    expect(methodsSince(bot.api, clicked)).toContain('conversations.open');
    expect(textOf(replies)).toContain(`ending in ${e164Of(user).slice(-4)}`);
  });

  it('acknowledges /sspr at once and starts in the DM', async () => {
    const chat = bot.user('someone@corp.example.test');
    const since = bot.api.calls.length;

    const response = await chat.sendCommand('', 'C0GENERAL');
    const replies = await chat.repliesSince(since);

    expect(response.status).toBe(200);
    expect(response.elapsedMs).toBeLessThan(3000);
    expect(JSON.parse(response.body)).toMatchObject({ response_type: 'ephemeral' });
    expect(methodsSince(bot.api, since)).toContain('conversations.open');
    expect(textOf(replies)).toContain('What would you like to do?');
  });
});

describe('slack buttons with side effects', () => {
  let confirmBot: SlackBot;

  beforeAll(async () => {
    confirmBot = await startSlackBot({ VERIFY_REQUIRE_FULL_PHONE: 'false' });
  });
  afterAll(async () => {
    await confirmBot?.close();
  });

  it('sends one SMS for a double-clicked button', async () => {
    const user: TestUser = await createUser(samba());
    const chat = confirmBot.user(user.upn);
    const asked = await chat.say('reset');
    expect(textOf(asked)).toContain(`ending in ${e164Of(user).slice(-4)}`);

    const found = chat.dmMessages().at(-1);
    const send = buttonsOf((found?.blocks ?? []) as never).find(
      (button) => choiceValueOf(button) === 'send',
    );
    if (!found || !send) throw new Error('no "Send the code" button');
    const sent = confirmBot.app.twilio.messages.length;
    const since = confirmBot.api.calls.length;

    const actionTs = slackTs();
    const clicks = await Promise.all([
      chat.clickButton(found, send, {}, actionTs),
      chat.clickButton(found, send, {}, actionTs),
      chat.clickButton(found, send, {}, slackTs()),
    ]);
    await chat.repliesSince(since);
    await sleep(1000);

    expect(clicks.map((click) => click.status)).toEqual([200, 200, 200]);
    expect(confirmBot.app.twilio.messages.length - sent).toBe(1);
    const codeSent = postedTexts(confirmBot.api, chat.channel, since).filter((text) =>
      text.includes('I sent a'),
    );
    expect(codeSent).toHaveLength(1);
  });
});

/** Waits for a log line with this message, written after line number `from`. */
async function waitForLog(
  log: CapturedLog,
  from: number,
  message: string,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = log.lines.slice(from).find((candidate) => candidate.msg === message);
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no "${message}" log line`);
    await sleep(50);
  }
}

describe('slack socket mode', () => {
  it('connects, runs events and commands, and disconnects', async () => {
    const api = await startSlackApiStandIn();
    const app = await startTestApp({
      SLACK_BOT_TOKEN: api.token,
      SLACK_SOCKET_MODE: 'true',
      SLACK_APP_TOKEN: api.appToken,
      SLACK_API_URL: api.url,
    });
    const adapter = createSlackAdapter({
      config: app.config,
      engine: app.app.engine,
      logger: captureLog().logger,
    });
    try {
      expect(adapter.mount).toBeUndefined();
      await adapter.start();
      expect(api.socketMode.open()).toBe(1);

      const userId = 'U0SOCKET1';
      api.users.set(userId, { email: 'someone@corp.example.test' });
      const channel = api.dmChannelOf(userId);
      const since = api.calls.length;
      const event = {
        type: 'message',
        channel,
        user: userId,
        text: 'hi',
        ts: slackTs(),
        channel_type: 'im',
      };
      const eventAck = await api.socketMode.deliver('events_api', {
        team_id: api.teamId,
        api_app_id: 'A0SSPRBOT',
        event,
        type: 'event_callback',
        event_id: 'EvSOCKET0001',
        event_time: Math.floor(Date.now() / 1000),
      });
      const prompt = await api.waitForCall(
        (call) =>
          call.method === 'chat.postMessage' &&
          String(call.args.text).includes('What would you like'),
        { since },
      );
      expect(eventAck.elapsedMs).toBeLessThan(3000);
      expect(prompt.args.channel).toBe(channel);

      const commandAck = await api.socketMode.deliver('slash_commands', {
        token: 'deprecated-verification-token',
        team_id: api.teamId,
        channel_id: 'C0GENERAL',
        channel_name: 'general',
        user_id: userId,
        command: '/sspr',
        text: '',
        api_app_id: 'A0SSPRBOT',
        response_url: `${api.responseUrl}socket`,
        trigger_id: `${Date.now()}.1.socket`,
      });
      expect(commandAck.payload).toMatchObject({ response_type: 'ephemeral' });

      await adapter.stop();
      const deadline = Date.now() + 5000;
      while (api.socketMode.open() > 0 && Date.now() < deadline) await sleep(50);
      expect(api.socketMode.open()).toBe(0);
      expect(api.socketMode.accepted()).toBe(1);
    } finally {
      await app.close();
      await api.close();
    }
  });
});
