import { App, type Authorize, ExpressReceiver, SocketModeReceiver } from '@slack/bolt';
import type { RequestHandler } from 'express';
import type { AdapterOptions, PlatformAdapter } from '../../src/server/platform-adapter.js';
import { createBoltLogger } from './bolt-logger.js';
import { registerEventListeners } from './event-listeners.js';
import { registerInteractionListeners } from './interaction-listeners.js';
import { ProfileEmails } from './profile-emails.js';
import { SlackApi, slackErrorOf, webClientOptions } from './slack-api.js';
import { SlackTurns } from './slack-turns.js';

/** Path of the Events API, interactivity and slash-command requests in HTTP mode. */
export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * Creates the Slack adapter on Bolt. In HTTP mode (the default) it mounts an
 * ExpressReceiver at /slack/events on the shared server. Every request there must carry a
 * valid signature made with SLACK_SIGNING_SECRET and a timestamp at most 5 minutes old.
 * Otherwise it gets HTTP 401 and is not processed. With SLACK_SOCKET_MODE=true the adapter
 * connects over Socket Mode with SLACK_APP_TOKEN instead and mounts nothing.
 *
 * Requests are acknowledged before the engine runs (`processBeforeResponse: false`),
 * except a modal submission, which waits up to 2.5 s so that a form error can be shown
 * inline.
 */
export function createSlackAdapter(options: AdapterOptions): PlatformAdapter {
  const { config } = options;
  const logger = options.logger.child({ platform: 'slack' });
  const token = required(config.SLACK_BOT_TOKEN, 'SLACK_BOT_TOKEN', 'the bot token (xoxb-...)');
  const boltLogger = createBoltLogger(logger);
  const api = new SlackApi({
    token,
    apiUrl: config.SLACK_API_URL,
    logger,
    clientLogger: boltLogger,
  });
  const bot = new BotIdentity(api);

  const receiver = createReceiver(config, boltLogger);
  const authorize: Authorize<boolean> = async () => ({
    botToken: token,
    ...(await bot.identity()),
  });
  const app = new App({
    receiver,
    authorize,
    logger: boltLogger,
    clientOptions: webClientOptions({ apiUrl: config.SLACK_API_URL, clientLogger: boltLogger }),
    convoStore: false,
    ignoreSelf: true,
  });
  app.error(async (error) => {
    logger.error({ code: error.code, err: error }, 'slack listener failed');
  });

  const emails = new ProfileEmails(api);
  const turns = new SlackTurns({ engine: options.engine, api, emails, config, logger });
  registerEventListeners(app, { turns, api, secondaryEmail: config.SECONDARY_EMAIL_ENABLED });
  registerInteractionListeners(app, {
    turns,
    api,
    logger,
    maxPasswordLength: config.PASSWORD_MAX_LENGTH,
  });

  const socketMode = receiver instanceof SocketModeReceiver;
  return {
    name: 'slack',
    ...(receiver instanceof ExpressReceiver
      ? {
          mount: (express) => {
            express.use(SLACK_EVENTS_PATH, rejectFutureTimestamps(logger));
            express.use(receiver.router);
          },
        }
      : {}),
    async start() {
      const identity = await bot.identity();
      if (socketMode) await app.start();
      logger.info(
        { mode: socketMode ? 'socket' : 'http', botUserId: identity.botUserId },
        'slack adapter started',
      );
    },
    async stop() {
      if (socketMode) await app.stop();
      logger.info({}, 'slack adapter stopped');
    },
  };
}

/** Socket Mode with the app-level token, or an ExpressReceiver that verifies signatures. */
function createReceiver(
  config: AdapterOptions['config'],
  boltLogger: ReturnType<typeof createBoltLogger>,
): SocketModeReceiver | ExpressReceiver {
  if (config.SLACK_SOCKET_MODE) {
    const appToken = required(
      config.SLACK_APP_TOKEN,
      'SLACK_APP_TOKEN',
      'an app-level token (xapp-...)',
    );
    const clientOptions = webClientOptions({
      apiUrl: config.SLACK_API_URL,
      clientLogger: boltLogger,
    });
    return new SocketModeReceiver({
      appToken,
      logger: boltLogger,
      installerOptions: { clientOptions },
    });
  }
  return new ExpressReceiver({
    signingSecret: required(
      config.SLACK_SIGNING_SECRET,
      'SLACK_SIGNING_SECRET',
      'the signing secret',
    ),
    endpoints: SLACK_EVENTS_PATH,
    processBeforeResponse: false,
    logger: boltLogger,
    // A signed request that no listener acknowledged (an unknown action or event type) is
    // acknowledged with 200 inside Slack's 3 s, so that Slack does not retry it. Modal
    // submissions wait up to 2.5 s for an inline error, so the timer must run longer.
    unhandledRequestTimeoutMillis: 2800,
    unhandledRequestHandler: ({ logger: log, response }) => {
      log.warn('slack request acknowledged without a listener');
      if (!response.headersSent) {
        response.writeHead(200);
        response.end();
      }
    },
  });
}

/** Slack's replay window: requests stamped further from now are rejected. */
const MAX_CLOCK_SKEW_SECONDS = 300;

/**
 * Rejects requests stamped more than five minutes in the future. Bolt rejects old stamps
 * only, and a stamp from the future would let a captured request be replayed later.
 */
function rejectFutureTimestamps(logger: AdapterOptions['logger']): RequestHandler {
  return (request, response, next) => {
    const stamp = Number(request.header('x-slack-request-timestamp'));
    if (Number.isFinite(stamp) && stamp > Date.now() / 1000 + MAX_CLOCK_SKEW_SECONDS) {
      logger.warn({ timestamp: stamp }, 'slack request rejected: timestamp in the future');
      response.status(401).end();
      return;
    }
    next();
  };
}

/**
 * The bot's own user and bot ids from `auth.test`, fetched once. Bolt needs them to drop
 * the app's own messages. A failed call is not cached, so the next request tries again.
 */
class BotIdentity {
  private pending: Promise<{ botUserId: string; botId: string; teamId?: string }> | undefined;

  constructor(private readonly api: SlackApi) {}

  identity(): Promise<{ botUserId: string; botId: string; teamId?: string }> {
    this.pending ??= this.fetch().catch((error: unknown) => {
      this.pending = undefined;
      throw error;
    });
    return this.pending;
  }

  private async fetch() {
    let response: Awaited<ReturnType<SlackApi['client']['auth']['test']>>;
    try {
      response = await this.api.client.auth.test();
    } catch (error) {
      const reason = slackErrorOf(error) ?? (error as Error).message;
      throw new Error(
        `Slack auth.test failed (${reason}): check SLACK_BOT_TOKEN and SLACK_API_URL`,
        {
          cause: error,
        },
      );
    }
    if (!response.user_id || !response.bot_id) {
      throw new Error(
        'Slack auth.test returned no bot user: SLACK_BOT_TOKEN must be a bot token (xoxb-...)',
      );
    }
    return {
      botUserId: response.user_id,
      botId: response.bot_id,
      ...(response.team_id ? { teamId: response.team_id } : {}),
    };
  }
}

function required(value: string | undefined, name: string, what: string): string {
  if (value === undefined)
    throw new Error(`${name} is missing: set ${what} to run the Slack adapter`);
  return value;
}
