import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTeamsAdapter,
  type TeamsAdapterDependencies,
} from '../../adapters/teams/teams-adapter.js';
import type {
  BotFrameworkEndpoints,
  ServiceClientCredentialsFactory,
} from '../../adapters/teams/teams-auth.js';
import { ConfigError } from '../../src/config/load.js';
import type { Env } from '../../src/config/schema.js';
import type { TurnHandler } from '../../src/engine/turn.js';
import { type MessageKey, translate } from '../../src/i18n/translate.js';
import { startHttpServer } from '../../src/server/http-server.js';
import {
  canBind,
  createUser,
  lockOut,
  readAttributes,
  type TestUser,
} from '../harness/ad-users.js';
import { capturingLogger, type LogLines } from '../harness/redis-clients.js';
import { services } from '../harness/services.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { type BotConnectorStandIn, startBotConnectorStandIn } from '../standins/bot-connector.js';
import {
  e164Of,
  registerEmail,
  submitPassword,
  textOf,
  verifyBySms,
} from '../transcripts/journeys.js';
import {
  cardOf,
  currentOf,
  seen,
  type TeamsConversationType,
  TeamsDriver,
  waitUntil,
} from '../transcripts/teams-driver.js';

/*
 * The Teams adapter over HTTP, in front of the production wiring (Samba AD, Redis,
 * FerretDB, the Twilio stand-in), with a local Bot Connector stand-in as the Teams side.
 */

const TENANT = '6f1c1b7e-0d0a-4c55-9a3e-2f7d8f5b1a01';
const OTHER_TENANT = '0b9e3c7d-1111-4a2b-8c3d-9e8f7a6b5c4d';
const APP_ID = '3b0a4a9e-5c3d-4f6e-8a7b-1c2d3e4f5a6b';

let bot: TestApp;
let connector: BotConnectorStandIn;

beforeAll(async () => {
  bot = await startTestApp({ CODE_RESEND_COOLDOWN_SECONDS: '0' });
  connector = await startBotConnectorStandIn();
});
afterAll(async () => {
  await connector?.close();
  await bot?.close();
});

const samba = () => services().samba();
const t = (key: MessageKey) => translate('en', key);

interface RunningTeams {
  readonly url: string;
  readonly lines: LogLines;
  close(): Promise<void>;
}

/** Serves the Teams adapter on a free port with the test app's engine and these settings. */
async function serveTeams(
  settings: Partial<Env> = {},
  dependencies: TeamsAdapterDependencies = {},
  engine: TurnHandler = bot.app.engine,
): Promise<RunningTeams> {
  const config = Object.freeze({ ...bot.config, NODE_ENV: 'development', ...settings });
  const { logger, lines } = capturingLogger();
  const adapter = createTeamsAdapter({ config, engine, logger }, dependencies);
  const mount = adapter.mount;
  if (mount === undefined) throw new Error('the Teams adapter has no HTTP routes');
  const http = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    mounts: [mount],
    healthCheck: async () => {},
    logger,
  });
  await adapter.start();
  return {
    url: `http://127.0.0.1:${http.port}/api/messages`,
    lines,
    close: async () => {
      await adapter.stop();
      await http.close();
    },
  };
}

/** Registers the AD user as a Teams member of TENANT and returns a driver for them. */
function teamsChat(
  teams: RunningTeams,
  user: Pick<TestUser, 'upn'> | undefined,
  options: {
    conversationType?: TeamsConversationType;
    tenantId?: string;
    authorization?: () => string;
  } = {},
): TeamsDriver {
  const aadObjectId = randomUUID();
  const tenantId = options.tenantId ?? TENANT;
  if (user !== undefined) {
    connector.members.set(`29:${aadObjectId}`, {
      id: `29:${aadObjectId}`,
      name: user.upn,
      aadObjectId,
      userPrincipalName: user.upn,
      email: user.upn,
      tenantId,
      userRole: 'user',
    });
  }
  return new TeamsDriver({
    botUrl: teams.url,
    connector,
    user: { aadObjectId, tenantId },
    botAppId: APP_ID,
    ...options,
  });
}

function memberLookups(chat: TeamsDriver): string[] {
  return connector.requests.filter((request) => request.includes(`/members/${chat.memberId}`));
}

describe('Teams authentication with an app id', () => {
  const bearer = `outbound-${randomUUID()}`;
  let teams: RunningTeams;

  beforeAll(async () => {
    teams = await serveTeams(
      { NODE_ENV: 'production', MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'unused' },
      {
        endpoints: standInEndpoints(connector),
        credentialsFactory: bearerCredentials(APP_ID, bearer),
      },
    );
  });
  afterAll(async () => {
    connector.requireBearer(undefined);
    await teams?.close();
  });

  it('rejects an activity without a token', async () => {
    const chat = teamsChat(teams, undefined);
    const result = await chat.postMessage('hi');
    expect(result.status).toBe(401);
    expect(result.replies).toEqual([]);
  });

  it('answers malformed bodies without internals', async () => {
    const bodies = ['{"type":', '"hi"', '{}', JSON.stringify({ type: 'message', text: 'hi' })];
    for (const body of bodies) {
      const response = await fetch(teams.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await response.text();
      expect(response.status, body).toBe(400);
      expect(text, body).not.toMatch(/node_modules|at \w+ \(|<html/i);
    }
  });

  it('rejects tokens that are invalid', async () => {
    const cases = {
      'unknown signing key': connector.signToken({ audience: APP_ID, foreignKey: true }),
      'other audience': connector.signToken({ audience: randomUUID() }),
      expired: connector.signToken({ audience: APP_ID, expiresInSeconds: -3600 }),
      'other issuer': connector.signToken({ audience: APP_ID, issuer: 'https://issuer.invalid' }),
      'other service URL': connector.signToken({
        audience: APP_ID,
        serviceUrl: 'http://127.0.0.1:9',
      }),
    };
    for (const [name, token] of Object.entries(cases)) {
      const chat = teamsChat(teams, undefined, { authorization: () => `Bearer ${token}` });
      const result = await chat.postMessage('hi');
      expect(result.status, name).toBe(401);
      expect(result.replies, name).toEqual([]);
    }
  });

  it('accepts a signed activity', async () => {
    connector.requireBearer(bearer);
    const token = connector.signToken({ audience: APP_ID });
    const chat = teamsChat(
      teams,
      { upn: 'nobody@corp.example.test' },
      {
        authorization: () => `Bearer ${token}`,
      },
    );

    const result = await chat.postMessage('hi');

    expect(result.status).toBe(200);
    expect(textOf(seen(result.replies, connector))).toContain(t('menu.prompt'));
    expect(result.replies.every((sent) => sent.authorization === `Bearer ${bearer}`)).toBe(true);
    expect(JSON.stringify(teams.lines)).not.toContain(bearer);
    expect(JSON.stringify(teams.lines)).not.toContain(token);
  });

  it('requires an app id outside development', () => {
    const config = Object.freeze({ ...bot.config, NODE_ENV: 'production' });
    const { logger } = capturingLogger();
    expect(() => createTeamsAdapter({ config, engine: bot.app.engine, logger })).toThrow(
      ConfigError,
    );
  });
});

describe('Teams conversations', () => {
  let teams: RunningTeams;

  beforeAll(async () => {
    teams = await serveTeams({ TEAMS_ALLOWED_TENANTS: [TENANT] });
  });
  afterAll(async () => {
    await teams?.close();
  });

  it('resets a password verified by SMS', async () => {
    const user = await createUser(samba());
    const chat = teamsChat(teams, user);

    const form = await verifyBySms(chat, bot, user, 'reset');
    expect(form.at(-1)?.form?.fields).toEqual(['newPassword', 'confirmPassword']);
    const done = await submitPassword(chat, 'Teams-Reset-2026!');

    expect(textOf(done)).toContain('Done: your password has been changed');
    expect(await canBind(samba(), user.upn, 'Teams-Reset-2026!')).toBe(true);
    expect(JSON.stringify(teams.lines)).not.toContain('Teams-Reset-2026!');
    const events = await bot.app.services.audit.recent({ accountDn: user.dn, limit: 10 });
    expect(events.find((event) => event.action === 'password.reset')?.chatKey).toBe(
      `teams:${TENANT}:${chat.memberId.slice(3)}`,
    );
  });

  it('unlocks a locked account verified by SMS', async () => {
    const user = await createUser(samba());
    await lockOut(samba(), user);
    const chat = teamsChat(teams, user);

    const done = await verifyBySms(chat, bot, user, 'unlock');

    expect(textOf(done)).toContain('Done: your account is unlocked');
    const attributes = await readAttributes(samba(), user.dn, ['lockoutTime']);
    expect(String(attributes.lockoutTime ?? '0')).toBe('0');
  });

  it('registers a secondary e-mail, then resets with a mailed code', async () => {
    const user = await createUser(samba());
    const chat = teamsChat(teams, user);
    const address = `${user.sAMAccountName}.teams@example.org`;

    const registered = await registerEmail(chat, bot, user, address);
    expect(textOf(registered)).toContain(`Done: ${address} is now your secondary e-mail.`);
    bot.advance(11 * 60_000);
    await chat.say('reset');
    await chat.click('email');
    const sent = await chat.say(address);
    expect(textOf(sent)).toContain('I sent a 6-digit code to');
    await chat.say(await bot.mailCode(address));
    const done = await submitPassword(chat, 'Teams-Mailed-Reset-8');

    expect(textOf(done)).toContain('Done: your password has been changed');
    expect(await canBind(samba(), user.upn, 'Teams-Mailed-Reset-8')).toBe(true);
  });

  it('processes a redelivered activity once', async () => {
    const chat = teamsChat(teams, { upn: 'nobody@corp.example.test' });
    const activityId = randomUUID();

    const first = await chat.postMessage('hi', activityId);
    const again = await chat.postMessage('hi', activityId);

    expect(first.status).toBe(200);
    expect(textOf(seen(first.replies, connector))).toContain(t('menu.prompt'));
    expect(again.status).toBe(200);
    expect(again.replies).toEqual([]);
  });

  it('acts on a card submitted twice once', async () => {
    const user = await createUser(samba());
    const chat = teamsChat(teams, user);
    await verifyBySms(chat, bot, user, 'reset');
    const card = [...connector.activities].reverse().find((sent) => {
      return sent.conversationId === chat.conversationId && cardOf(sent.activity) !== undefined;
    });
    if (card === undefined) throw new Error('the password card was not sent');
    const data = cardOf(card.activity)?.actions[0]?.data ?? {};
    const value = { ...data, newPassword: 'Twice-Sent-2026!', confirmPassword: 'Twice-Sent-2026!' };

    const first = await chat.submitCard(card.id, value);
    const second = await chat.submitCard(card.id, value);

    expect(textOf(seen(first.replies, connector))).toContain('Done');
    expect(textOf(seen(second.replies, connector))).not.toContain('Done');
    const events = await bot.app.services.audit.recent({ accountDn: user.dn, limit: 20 });
    expect(events.filter((event) => event.action === 'password.reset')).toHaveLength(1);
    expect(await canBind(samba(), user.upn, 'Twice-Sent-2026!')).toBe(true);
    const retired = cardOf(currentOf(card, connector));
    expect(JSON.stringify(retired)).not.toContain('Input.Text');
    expect(retired?.actions).toEqual([]);
    expect(JSON.stringify(connector.updates)).not.toContain('Twice-Sent-2026!');
  });

  it('rejects a replayed button click', async () => {
    const user = await createUser(samba());
    const chat = teamsChat(teams, user);
    await chat.say('hi');
    const menu = connector.activities.findLast(
      (sent) => sent.conversationId === chat.conversationId,
    );
    if (menu === undefined) throw new Error('the menu card was not sent');
    const data = cardOf(menu.activity)?.actions[0]?.data ?? {};

    const first = await chat.submitCard(menu.id, data);
    const replay = await chat.submitCard(menu.id, data);

    expect(textOf(seen(first.replies, connector))).toContain(`ending in ${e164Of(user).slice(-4)}`);
    expect(textOf(seen(replay.replies, connector))).toContain(t('common.stale'));
  });

  it('replaces a clicked button card', async () => {
    const chat = teamsChat(teams, { upn: 'nobody@corp.example.test' });
    await chat.say('hi');

    await chat.click('help');

    const update = connector.updates.at(-1);
    expect(update?.conversationId).toBe(chat.conversationId);
    expect(JSON.stringify(update?.activity)).toContain('You picked: Help');
    expect(JSON.stringify(update?.activity)).not.toContain('Action.Submit');
  });

  it('explains garbled card data', async () => {
    const chat = teamsChat(teams, { upn: 'nobody@corp.example.test' });
    const cases: [unknown, string][] = [
      [{ answer: 42 }, 'does not come from one of my buttons'],
      [{ sspr: { kind: 'choice', promptId: 'p-1' } }, 'button value is missing'],
      [{ sspr: { kind: 'form', formId: 'f-1' }, newPassword: 7 }, 'is not text'],
      ['not an object', 'not a JSON object'],
    ];
    for (const [value, problem] of cases) {
      const result = await chat.submitCard(randomUUID(), value);
      expect(result.status).toBe(200);
      expect(textOf(seen(result.replies, connector))).toContain(problem);
    }
  });

  it('answers channel without account detail', async () => {
    const user = await createUser(samba());
    const chat = teamsChat(teams, user, { conversationType: 'channel' });
    const sentBefore = bot.twilio.messages.length;

    const replies = await chat.say('reset my password');

    expect(textOf(replies)).toContain(t('common.directOnly'));
    expect(textOf(replies)).not.toContain(e164Of(user).slice(-4));
    expect(textOf(replies)).not.toContain(user.upn);
    expect(memberLookups(chat)).toEqual([]);
    expect(bot.twilio.messages.length).toBe(sentBefore);
  });

  it('answers group chat with pointer', async () => {
    const chat = teamsChat(
      teams,
      { upn: 'nobody@corp.example.test' },
      { conversationType: 'groupChat' },
    );
    expect(textOf(await chat.say('unlock'))).toContain(t('common.directOnly'));
  });

  it('strips the bot mention', async () => {
    const chat = teamsChat(teams, { upn: 'nobody@corp.example.test' });
    const mention = '<at>sspr-bot</at>';
    const result = await chat.post({
      ...chat.base('message', randomUUID()),
      text: `${mention} help`,
      entities: [
        { type: 'mention', text: mention, mentioned: { id: `28:${APP_ID}`, name: 'sspr-bot' } },
      ],
    });
    expect(textOf(seen(result.replies, connector))).toContain(t('help.text'));
  });

  it('rejects tenant outside allow-list', async () => {
    const user = await createUser(samba());
    const chat = teamsChat(teams, user, { tenantId: OTHER_TENANT });

    const replies = await chat.say('reset');

    expect(textOf(replies)).toContain(t('teams.tenantRefused'));
    expect(memberLookups(chat)).toEqual([]);
    expect(teams.lines.some((line) => line.msg === 'teams tenant rejected')).toBe(true);
  });

  it('gives unknown member neutral reply', async () => {
    const chat = teamsChat(teams, undefined);
    await chat.say('hi');
    const replies = await chat.click('reset');
    expect(textOf(replies)).toContain(t('account.notAvailable'));
  });

  it('reports a failed member lookup', async () => {
    const chat = teamsChat(teams, { upn: 'nobody@corp.example.test' });
    connector.failRequests(/\/members\//, 403);
    try {
      const replies = await chat.say('hi');
      expect(textOf(replies)).toContain(t('teams.identityUnavailable'));
    } finally {
      connector.failRequests(undefined);
    }
    const logged = teams.lines.find((line) => line.msg === 'teams member lookup failed');
    expect((logged?.error as { statusCode?: number } | undefined)?.statusCode).toBe(403);
  });

  it('welcomes the user once on install', async () => {
    const chat = teamsChat(teams, { upn: 'nobody@corp.example.test' });

    const installed = await chat.install('installationUpdate');
    const updated = await chat.install('conversationUpdate');

    expect(textOf(seen(installed.replies, connector))).toContain(t('menu.greeting'));
    expect(
      seen(installed.replies, connector)
        .at(-1)
        ?.buttons.map((b) => b.value),
    ).toContain('reset');
    expect(updated.replies).toEqual([]);
  });

  it('points team install to personal chat', async () => {
    const chat = teamsChat(teams, undefined, { conversationType: 'channel' });
    const installed = await chat.install('conversationUpdate');
    expect(textOf(seen(installed.replies, connector))).toContain(t('common.directOnly'));
  });

  it('sends a typing indicator first', async () => {
    const chat = teamsChat(teams, { upn: 'nobody@corp.example.test' });
    const before = connector.activities.length;
    await chat.say('hi');
    const sent = connector.activities
      .slice(before)
      .filter((a) => a.conversationId === chat.conversationId);
    expect(sent[0]?.activity.type).toBe('typing');
  });
});

describe('Bot Framework Emulator', () => {
  it('takes the Emulator user id as UPN', async () => {
    const user = await createUser(samba());
    const teams = await serveTeams();
    try {
      const chat = teamsChat(teams, undefined);
      const requestsBefore = connector.requests.length;
      const result = await chat.post({
        ...chat.base('message', randomUUID()),
        channelId: 'emulator',
        from: { id: user.upn, name: 'User' },
        conversation: { id: randomUUID() },
        channelData: {},
        text: 'unlock',
      });
      expect(result.status).toBe(200);
      expect(textOf(seen(result.replies, connector))).toContain(t('unlock.notLocked'));
      const requests = connector.requests.slice(requestsBefore);
      expect(requests.some((request) => request.includes('/members/'))).toBe(false);
    } finally {
      await teams.close();
    }
  });

  it('ignores Emulator identity with an app id', async () => {
    const teams = await serveTeams(
      { NODE_ENV: 'production', MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'unused' },
      {
        endpoints: standInEndpoints(connector),
        credentialsFactory: bearerCredentials(APP_ID, 'x'),
      },
    );
    try {
      const token = connector.signToken({ audience: APP_ID });
      const chat = teamsChat(teams, undefined, { authorization: () => `Bearer ${token}` });
      const result = await chat.post({
        ...chat.base('message', randomUUID()),
        channelId: 'emulator',
        from: { id: 'someone@corp.example.test', name: 'User' },
        conversation: { id: randomUUID() },
        channelData: {},
        text: 'unlock',
      });
      expect(textOf(seen(result.replies, connector))).not.toContain(t('unlock.notLocked'));
      expect(textOf(seen(result.replies, connector))).toContain(t('account.notAvailable'));
    } finally {
      await teams.close();
    }
  });
});

describe('Teams slow turns', () => {
  it('covers a slow member lookup', async () => {
    const teams = await serveTeams({}, { slowTurnMs: 300 });
    const chat = teamsChat(teams, { upn: 'nobody@corp.example.test' });
    connector.setDelay(600);
    try {
      const result = await chat.postMessage('hi');
      expect(textOf(seen(result.replies, connector))).toContain(t('teams.stillWorking'));
      const mine = () =>
        connector.activities.filter((sent) => sent.conversationId === chat.conversationId);
      await waitUntil(() => textOf(seen(mine(), connector)).includes(t('menu.prompt')));
    } finally {
      connector.setDelay(0);
      await teams.close();
    }
  });

  it('sends slow result proactively', async () => {
    const slowEngine: TurnHandler = {
      handle: async (turn) => {
        await new Promise((resolve) => setTimeout(resolve, 800));
        return bot.app.engine.handle(turn);
      },
    };
    const teams = await serveTeams({}, { slowTurnMs: 200 }, slowEngine);
    try {
      const chat = teamsChat(teams, { upn: 'nobody@corp.example.test' });

      const result = await chat.postMessage('hi');
      expect(textOf(seen(result.replies, connector))).toContain(t('teams.stillWorking'));
      const mine = () =>
        connector.activities.filter((sent) => sent.conversationId === chat.conversationId);
      await waitUntil(() => textOf(seen(mine(), connector)).includes(t('menu.prompt')));
    } finally {
      await teams.close();
    }
  });
});

/** botbuilder endpoint settings that point every URL at the stand-in. */
function standInEndpoints(standIn: BotConnectorStandIn): BotFrameworkEndpoints {
  return {
    ToChannelFromBotLoginUrl: `${standIn.url}/login`,
    ToChannelFromBotOAuthScope: standIn.url,
    ToBotFromChannelTokenIssuer: standIn.issuer,
    ToBotFromChannelOpenIdMetadataUrl: standIn.openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: standIn.openIdMetadataUrl,
    OAuthUrl: `${standIn.url}/oauth`,
    CallerId: 'urn:botframework:test',
    ValidateAuthority: false,
  };
}

/**
 * Outbound credentials that sign every connector call with a fixed bearer token. Getting
 * a real token would ask Microsoft Entra ID, which tests cannot reach.
 */
function bearerCredentials(appId: string, token: string): ServiceClientCredentialsFactory {
  return {
    isValidAppId: async (candidate) => candidate === appId,
    isAuthenticationDisabled: async () => false,
    createCredentials: async () => ({
      signRequest: async (request) => {
        request.headers.set('authorization', `Bearer ${token}`);
        return request;
      },
    }),
  };
}
