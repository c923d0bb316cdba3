import { randomUUID } from 'node:crypto';
import {
  type Activity,
  ActivityTypes,
  type TeamsChannelAccount,
  TurnContext,
  type TurnContext as TurnContextType,
} from 'botbuilder';
import type { Env } from '../../src/config/schema.js';
import type { ConversationKind, Turn, TurnHandler, TurnInput } from '../../src/engine/turn.js';
import {
  type Locale,
  type MessageKey,
  type MessageParams,
  translate,
} from '../../src/i18n/translate.js';
import type { Logger } from '../../src/log/logger.js';
import { cardAttachment, doneCard, type SubmitData } from './adaptive-cards.js';
import { renderReplies } from './render-replies.js';
import { safeError } from './safe-error.js';
import { authenticationDisabled } from './teams-auth.js';
import { channelIdentity, lookUpIdentity } from './teams-identity.js';

/** The Bot Connector calls a turn makes, bound to the client of the incoming request. */
export interface ConnectorCalls {
  getMember(conversationId: string, memberId: string): Promise<TeamsChannelAccount>;
  updateActivity(
    conversationId: string,
    activityId: string,
    activity: Partial<Activity>,
  ): Promise<void>;
}

/** One readable input with where it came from. */
export interface PipelineInput {
  readonly activity: Activity;
  readonly input: TurnInput;
  readonly submitted: SubmitData | undefined;
  readonly conversationKind: ConversationKind;
  readonly tenantId: string;
}

interface ConnectorClientShape {
  readonly conversations: {
    getConversationMember(conversationId: string, memberId: string): Promise<TeamsChannelAccount>;
    updateActivity(
      conversationId: string,
      activityId: string,
      activity: Partial<Activity>,
    ): Promise<unknown>;
  };
}

/**
 * Returns the Bot Connector calls of the turn's own client. The client outlives the
 * TurnContext, so a slow turn can keep using it after the HTTP request has completed.
 */
export function connectorCallsOf(context: TurnContextType): ConnectorCalls {
  const client = context.turnState.get(context.adapter.ConnectorClientKey) as
    | ConnectorClientShape
    | undefined;
  if (client === undefined) throw new Error('the turn has no Bot Connector client');
  return {
    getMember: (conversationId, memberId) =>
      client.conversations.getConversationMember(conversationId, memberId),
    updateActivity: async (conversationId, activityId, activity) => {
      await client.conversations.updateActivity(conversationId, activityId, activity);
    },
  };
}

/**
 * Turns one input into the activities that reply to it: member lookup, retiring the
 * submitted card, and the engine. It never touches the TurnContext, so its work can
 * finish after the request does.
 */
export class TurnPipeline {
  constructor(
    private readonly engine: TurnHandler,
    private readonly config: Readonly<Env>,
    private readonly log: Logger,
  ) {}

  async run(input: PipelineInput, connector: ConnectorCalls): Promise<Partial<Activity>[]> {
    const { activity } = input;
    const identity =
      input.conversationKind === 'channel'
        ? { kind: 'ok' as const, identity: channelIdentity(activity, input.tenantId) }
        : await lookUpIdentity(
            activity,
            (memberId) => connector.getMember(activity.conversation.id, memberId),
            {
              allowedTenants: this.config.TEAMS_ALLOWED_TENANTS,
              emulatorAllowed: authenticationDisabled(this.config),
            },
          );
    if (identity.kind === 'tenant-refused') return [this.text('teams.tenantRefused')];
    if (identity.kind === 'unavailable') {
      const error = safeError(identity.error);
      this.log.error({ error, activityId: activity.id }, 'teams member lookup failed');
      return [this.text('teams.identityUnavailable')];
    }

    if (input.submitted !== undefined) await this.retireCard(activity, input.submitted, connector);
    const turn: Turn = {
      id: activity.id ?? randomUUID(),
      identity: identity.identity,
      conversationKind: input.conversationKind,
      input: input.input,
    };
    const result = await this.engine.handle(turn);
    if (result.duplicate) {
      this.log.info({ activityId: activity.id }, 'redelivered activity ignored');
      return [];
    }
    // NOTE: a bot cannot delete a user's message in Teams, so `discardUserMessage` is not
    // acted on. The reset dialog never uses a password typed into the chat.
    return renderReplies(result.replies);
  }

  /** Replaces a submitted card with a plain note, so its buttons and inputs are gone. */
  private async retireCard(
    activity: Activity,
    submitted: SubmitData,
    connector: ConnectorCalls,
  ): Promise<void> {
    const cardId = activity.replyToId;
    if (cardId === undefined) return;
    const note =
      submitted.kind === 'choice'
        ? this.t('teams.cardChosen', { label: submitted.label })
        : this.t('teams.cardSubmitted', { title: submitted.title });
    const reference = TurnContext.getConversationReference(activity);
    const update = TurnContext.applyConversationReference(
      { id: cardId, type: ActivityTypes.Message, attachments: [cardAttachment(doneCard(note))] },
      reference,
    );
    try {
      await connector.updateActivity(activity.conversation.id, cardId, update);
    } catch (error) {
      this.log.warn({ error: safeError(error), cardId }, 'submitted card could not be replaced');
    }
  }

  text(key: MessageKey, params?: MessageParams): Partial<Activity> {
    return { type: ActivityTypes.Message, text: this.t(key, params), textFormat: 'plain' };
  }

  private t(key: MessageKey, params?: MessageParams): string {
    return translate(this.config.LOCALE as Locale, key, params);
  }
}
