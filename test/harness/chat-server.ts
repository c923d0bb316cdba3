import { randomBytes, randomUUID } from 'node:crypto';
import { createSlackAdapter } from '../../adapters/slack/slack-adapter.js';
import { createTeamsAdapter } from '../../adapters/teams/teams-adapter.js';
import { startHttpServer } from '../../src/server/http-server.js';
import { type BotConnectorStandIn, startBotConnectorStandIn } from '../standins/bot-connector.js';
import { type SlackApiStandIn, startSlackApiStandIn } from '../standins/slack-api.js';
import type { ChatDriver } from '../transcripts/chat-driver.js';
import { SlackDriver } from '../transcripts/slack-driver.js';
import { TeamsDriver } from '../transcripts/teams-driver.js';
import { startTestApp, type TestApp } from './test-app.js';

export type ChatPlatform = 'slack' | 'teams';

const TENANT = '6f1c1b7e-0d0a-4c55-9a3e-2f7d8f5b1a01';

export interface ChatServer {
  readonly bot: TestApp;
  readonly slackApi: SlackApiStandIn;
  readonly connector: BotConnectorStandIn;
  /** A driver for a new chat user on `platform` whose chat profile carries `upn`. */
  userOn(platform: ChatPlatform, upn: string): ChatDriver;
  close(): Promise<void>;
}

/**
 * Slack and Teams on one HTTP server, as `sspr-bot serve` runs them, in front of the test
 * app's production wiring. Slack is served at /slack/events against a Web API stand-in;
 * Teams at /api/messages in development mode (no app id, as with the Bot
 * Framework Emulator) against a Bot Connector stand-in.
 */
export async function startChatServer(settings: Record<string, string> = {}): Promise<ChatServer> {
  const slackApi = await startSlackApiStandIn();
  const connector = await startBotConnectorStandIn();
  const signingSecret = randomBytes(16).toString('hex');
  const bot = await startTestApp({
    NODE_ENV: 'development',
    SLACK_BOT_TOKEN: slackApi.token,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slackApi.url,
    ...settings,
  });
  const options = { config: bot.config, engine: bot.app.engine, logger: bot.app.logger };
  const adapters = [createSlackAdapter(options), createTeamsAdapter(options)];
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    mounts: adapters.flatMap((adapter) => (adapter.mount ? [adapter.mount] : [])),
    healthCheck: () => bot.app.check(),
    logger: bot.app.logger,
  });
  for (const adapter of adapters) await adapter.start();
  const base = `http://127.0.0.1:${server.port}`;

  return {
    bot,
    slackApi,
    connector,
    userOn(platform, upn) {
      if (platform === 'slack') {
        const userId = `U${randomBytes(5).toString('hex').toUpperCase()}`;
        slackApi.users.set(userId, { email: upn });
        return new SlackDriver({
          botUrl: `${base}/slack/events`,
          signingSecret,
          api: slackApi,
          userId,
        });
      }
      const aadObjectId = randomUUID();
      connector.members.set(`29:${aadObjectId}`, {
        id: `29:${aadObjectId}`,
        name: upn,
        aadObjectId,
        userPrincipalName: upn,
        email: upn,
        tenantId: TENANT,
        userRole: 'user',
      });
      return new TeamsDriver({
        botUrl: `${base}/api/messages`,
        connector,
        user: { aadObjectId, tenantId: TENANT },
      });
    },
    async close() {
      for (const adapter of adapters) await adapter.stop();
      await server.close();
      await bot.close();
      await Promise.allSettled([slackApi.close(), connector.close()]);
    },
  };
}
