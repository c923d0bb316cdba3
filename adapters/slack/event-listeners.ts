import type { App } from '@slack/bolt';
import type { SlackApi } from './slack-api.js';
import { typedTextOf } from './slack-text.js';
import type { SlackTurns } from './slack-turns.js';
import { renderHomeView } from './views.js';

export interface EventListenerOptions {
  readonly turns: SlackTurns;
  readonly api: SlackApi;
  readonly secondaryEmail: boolean;
}

/** The body fields of an Events API callback that identify the workspace and delivery. */
interface EventEnvelope {
  readonly event_id?: string;
  readonly team_id?: string;
  readonly enterprise_id?: string;
}

/**
 * Wires the Events API and the /sspr command to the engine. Bolt acknowledges events
 * before these listeners run; the command listener acknowledges first thing.
 */
export function registerEventListeners(app: App, options: EventListenerOptions): void {
  const { turns } = options;

  // Direct messages run the flow. Edits, deletions, joins and every other subtype are
  // ignored, and so are messages from bots; Bolt's ignoreSelf drops the app's own.
  app.event('message', async ({ event, body }) => {
    if (event.channel_type !== 'im' || event.subtype !== undefined) return;
    if (event.bot_id !== undefined || event.user === undefined) return;

    const envelope = body as EventEnvelope;
    const user = { tenantId: tenantOf(envelope), userId: event.user };
    const result = await turns.run(user, {
      id: `event:${envelope.event_id ?? event.ts}`,
      conversationKind: 'direct',
      input: { kind: 'text', text: typedTextOf(event.text ?? '') },
    });
    if (result.discardUserMessage) await turns.deleteUserMessage(event.channel, event.ts);
    await turns.post(result.replies, {
      channel: event.channel,
      user: event.user,
      ephemeral: false,
    });
  });

  // A mention in a channel gets a pointer to the DM, shown only to the person who wrote it.
  app.event('app_mention', async ({ event, body }) => {
    if (event.user === undefined || event.bot_id !== undefined) return;
    const envelope = body as EventEnvelope;
    const result = await turns.run(
      { tenantId: tenantOf(envelope), userId: event.user },
      {
        id: `event:${envelope.event_id ?? event.ts}`,
        conversationKind: 'channel',
        input: { kind: 'text', text: typedTextOf(event.text) },
      },
    );
    await turns.post(result.replies, { channel: event.channel, user: event.user, ephemeral: true });
  });

  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    const view = renderHomeView({
      t: (key) => turns.t(key),
      secondaryEmail: options.secondaryEmail,
    });
    await options.api.call('views.publish', (client) =>
      client.views.publish({ user_id: event.user, view }),
    );
  });

  app.command('/sspr', async ({ command, ack }) => {
    // Outside a DM the user gets a pointer; inside one the flow's own reply is enough.
    const inDirectMessage = command.channel_id.startsWith('D');
    await ack(
      inDirectMessage ? undefined : { response_type: 'ephemeral', text: turns.t('slack.openedDm') },
    );

    const channel = await turns.openDirectMessage(command.user_id);
    if (channel === undefined) return;
    const tenantId = command.enterprise_id || command.team_id;
    const result = await turns.run(
      { tenantId, userId: command.user_id },
      { id: `command:${command.trigger_id}`, conversationKind: 'direct', input: { kind: 'start' } },
    );
    await turns.post(result.replies, { channel, user: command.user_id, ephemeral: false });
  });
}

function tenantOf(envelope: EventEnvelope): string {
  return envelope.enterprise_id || envelope.team_id || 'unknown';
}
