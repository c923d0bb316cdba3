import type { Env } from '../../src/config/schema.js';
import type {
  ConversationKind,
  Reply,
  TurnHandler,
  TurnInput,
  TurnResult,
} from '../../src/engine/turn.js';
import {
  type Locale,
  type MessageKey,
  type MessageParams,
  translate,
} from '../../src/i18n/translate.js';
import type { Logger } from '../../src/log/logger.js';
import { renderReply } from './message-blocks.js';
import type { ProfileEmails } from './profile-emails.js';
import type { SlackApi } from './slack-api.js';

/** A Slack user as a request names them: the workspace (or Enterprise Grid) and the user id. */
export interface SlackUser {
  /** Enterprise id for Enterprise Grid, otherwise the team id. */
  readonly tenantId: string;
  readonly userId: string;
}

/** The destination of replies. An ephemeral reply is shown only to `user`, in a channel. */
export interface ReplyTarget {
  readonly channel: string;
  readonly user: string;
  readonly ephemeral: boolean;
}

export interface SlackTurnsOptions {
  readonly engine: TurnHandler;
  readonly api: SlackApi;
  readonly emails: ProfileEmails;
  readonly config: Readonly<Env>;
  readonly logger: Logger;
}

/**
 * Runs neutral turns for Slack users and posts the engine's replies as Block Kit
 * messages, one message per reply. The user's directory name is the e-mail in their
 * Slack profile, looked up for direct conversations only.
 */
export class SlackTurns {
  constructor(private readonly options: SlackTurnsOptions) {}

  /**
   * Runs one turn. When the profile look-up or the engine fails, the result is an error
   * reply, so that callers always have something to post.
   */
  async run(
    user: SlackUser,
    turn: { id: string; conversationKind: ConversationKind; input: TurnInput },
  ): Promise<TurnResult> {
    const log = this.options.logger.child({ turnId: turn.id, kind: turn.input.kind });
    let directoryName: string | undefined;
    if (turn.conversationKind === 'direct') {
      const lookup = await this.options.emails.lookUp(user.tenantId, user.userId);
      if (!lookup.ok) return this.failure('error.serviceUnavailable');
      directoryName = lookup.email;
    }

    try {
      return await this.options.engine.handle({
        id: turn.id,
        identity: { platform: 'slack', ...user, directoryName },
        conversationKind: turn.conversationKind,
        input: turn.input,
      });
    } catch (error) {
      log.error({ err: error }, 'slack turn failed in the engine');
      return this.failure('error.internal');
    }
  }

  /** Posts replies in order and stops at the first one Slack rejects. */
  async post(replies: readonly Reply[], target: ReplyTarget): Promise<void> {
    for (const reply of replies) {
      const message = renderReply(reply);
      const posted = target.ephemeral
        ? await this.options.api.call('chat.postEphemeral', (client) =>
            client.chat.postEphemeral({ channel: target.channel, user: target.user, ...message }),
          )
        : await this.options.api.call('chat.postMessage', (client) =>
            client.chat.postMessage({ channel: target.channel, ...message }),
          );
      if (!posted) return;
    }
  }

  /**
   * Tries to delete a message the user typed. Per Slack's chat.delete reference, a bot
   * token may delete only messages that bot posted, so this usually ends in
   * `cant_delete_message`, which is logged at warn.
   */
  async deleteUserMessage(channel: string, ts: string): Promise<void> {
    // NOTE: only a user token allowed to delete the message would succeed. The config has
    // no setting for such a token yet, so the bot token is tried.
    await this.options.api.call('chat.delete', (client) => client.chat.delete({ channel, ts }), [
      'cant_delete_message',
      'message_not_found',
    ]);
  }

  /** Opens (or finds) the user's DM with the bot and returns its channel id. */
  async openDirectMessage(userId: string): Promise<string | undefined> {
    const opened = await this.options.api.call('conversations.open', (client) =>
      client.conversations.open({ users: userId }),
    );
    return opened?.channel?.id;
  }

  t(key: MessageKey, params?: MessageParams): string {
    return translate(this.options.config.LOCALE as Locale, key, params);
  }

  private failure(key: MessageKey): TurnResult {
    return {
      replies: [{ kind: 'error', text: this.t(key) }],
      discardUserMessage: false,
      duplicate: false,
    };
  }
}
