import { randomUUID } from 'node:crypto';
import type { BotConnectorStandIn, SentActivity } from '../standins/bot-connector.js';
import type { ChatDriver, SeenReply } from './chat-driver.js';

export type TeamsConversationType = 'personal' | 'channel' | 'groupChat';

export interface TeamsUser {
  readonly aadObjectId: string;
  readonly tenantId: string;
  readonly name?: string;
  /** The Teams member id (`29:...`); derived from the AAD object id when unset. */
  readonly memberId?: string;
}

export interface TeamsDriverOptions {
  /** The bot's messaging endpoint, http://127.0.0.1:<port>/api/messages. */
  readonly botUrl: string;
  readonly connector: BotConnectorStandIn;
  readonly user: TeamsUser;
  readonly conversationType?: TeamsConversationType;
  /** The bot's app id, used in its `28:` account id and in tokens. */
  readonly botAppId?: string;
  /** The Authorization header for each activity; none when it returns undefined. */
  readonly authorization?: () => string | undefined;
}

export interface PostResult {
  readonly status: number;
  readonly body: string;
  /** What the bot sent while the request was open, typing indicators left out. */
  readonly replies: SentActivity[];
}

/**
 * One Teams user's side of a conversation. Activities are posted to the bot in the shapes
 * the Teams service sends (personal or channel conversation, tenant in channelData,
 * @mention entities, Action.Submit values), and the replies are read from the Bot
 * Connector stand-in.
 */
export class TeamsDriver implements ChatDriver {
  readonly conversationId: string;
  readonly memberId: string;
  private readonly botId: string;

  constructor(private readonly options: TeamsDriverOptions) {
    const type = options.conversationType ?? 'personal';
    this.conversationId =
      type === 'channel'
        ? `19:${randomUUID().replaceAll('-', '')}@thread.tacv2;messageid=${Date.now()}`
        : type === 'groupChat'
          ? `19:${randomUUID().replaceAll('-', '')}@thread.v2`
          : `a:${randomUUID()}`;
    this.memberId = options.user.memberId ?? `29:${options.user.aadObjectId}`;
    this.botId = `28:${options.botAppId ?? 'sspr-bot'}`;
  }

  async say(text: string): Promise<SeenReply[]> {
    return seen((await this.postMessage(text)).replies, this.options.connector);
  }

  async click(value: string): Promise<SeenReply[]> {
    const card = this.newestCard((sent) => buttonsOf(sent).some((b) => b.value === value));
    if (card === undefined) throw new Error(`no message offers a button with value "${value}"`);
    const action = submitActions(currentOf(card, this.options.connector)).find(
      (candidate) => sspr(candidate)?.value === value,
    );
    return seen(
      (await this.submitCard(card.id, action?.data ?? {})).replies,
      this.options.connector,
    );
  }

  async submit(fields: Record<string, string>): Promise<SeenReply[]> {
    const card = this.newestCard((sent) => formOf(sent) !== undefined);
    if (card === undefined) throw new Error('no message offers a secret form');
    const action = submitActions(currentOf(card, this.options.connector))[0];
    const value = { ...(action?.data ?? {}), ...fields };
    return seen((await this.submitCard(card.id, value)).replies, this.options.connector);
  }

  async close(): Promise<void> {}

  /** Posts a text message, with an @mention of the bot outside personal chat. */
  postMessage(text: string, activityId: string = randomUUID()): Promise<PostResult> {
    const personal = (this.options.conversationType ?? 'personal') === 'personal';
    const mention = `<at>sspr-bot</at>`;
    return this.post({
      ...this.base('message', activityId),
      text: personal ? text : `${mention} ${text}`,
      textFormat: 'plain',
      entities: personal
        ? [{ type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web' }]
        : [{ type: 'mention', text: mention, mentioned: { id: this.botId, name: 'sspr-bot' } }],
    });
  }

  /** Posts an Action.Submit from the card `cardId`, as Teams does: `value` contains data and inputs. */
  submitCard(
    cardId: string,
    value: unknown,
    activityId: string = randomUUID(),
  ): Promise<PostResult> {
    return this.post({ ...this.base('message', activityId), replyToId: cardId, value });
  }

  /** Posts the events Teams sends when the user installs the app. */
  async install(kind: 'conversationUpdate' | 'installationUpdate'): Promise<PostResult> {
    const base = this.base(kind, `f:${randomUUID()}`);
    if (kind === 'installationUpdate') return this.post({ ...base, action: 'add' });
    return this.post({ ...base, membersAdded: [{ id: this.botId }] });
  }

  /** Posts any activity and returns what the bot sent while the request was open. */
  async post(activity: Record<string, unknown>): Promise<PostResult> {
    const before = this.options.connector.activities.length;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const authorization = this.options.authorization?.();
    if (authorization !== undefined) headers.authorization = authorization;
    const response = await fetch(this.options.botUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify(activity),
    });
    const body = await response.text();
    const replies = this.options.connector.activities
      .slice(before)
      .filter((sent) => sent.activity.type !== 'typing');
    return { status: response.status, body, replies };
  }

  /** Builds the fields every activity from Teams carries, for this user and conversation. */
  base(type: string, id: string): Record<string, unknown> {
    const { user } = this.options;
    const conversationType = this.options.conversationType ?? 'personal';
    const channelData: Record<string, unknown> = { tenant: { id: user.tenantId } };
    if (conversationType === 'channel') {
      channelData.teamsChannelId = '19:general@thread.tacv2';
      channelData.teamsTeamId = '19:team@thread.tacv2';
      channelData.channel = { id: '19:general@thread.tacv2' };
      channelData.team = { id: '19:team@thread.tacv2' };
    }
    return {
      type,
      id,
      timestamp: new Date().toISOString(),
      serviceUrl: this.options.connector.url,
      channelId: 'msteams',
      from: { id: this.memberId, name: user.name ?? 'Test User', aadObjectId: user.aadObjectId },
      conversation: {
        id: this.conversationId,
        conversationType,
        tenantId: user.tenantId,
        ...(conversationType === 'personal' ? {} : { isGroup: true }),
      },
      recipient: { id: this.botId, name: 'sspr-bot' },
      locale: 'en-US',
      channelData,
    };
  }

  private newestCard(match: (sent: Record<string, unknown>) => boolean): SentActivity | undefined {
    const { connector } = this.options;
    const mine = connector.activities.filter((sent) => sent.conversationId === this.conversationId);
    return mine.reverse().find((sent) => match(currentOf(sent, connector)));
  }
}

/** Waits until `predicate` holds, polling every 50 ms, or fails after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Flattens sent activities into what the user would see. */
export function seen(
  replies: readonly SentActivity[],
  connector: BotConnectorStandIn,
): SeenReply[] {
  return replies.map((sent) => {
    const activity = currentOf(sent, connector);
    const form = formOf(activity);
    return {
      text: textOf(activity),
      buttons: buttonsOf(activity),
      ...(form ? { form } : {}),
    };
  });
}

/** Returns the activity as it is now, after any update the bot made to it. */
export function currentOf(
  sent: SentActivity,
  connector: BotConnectorStandIn,
): Record<string, unknown> {
  const updates = connector.updates.filter((update) => update.activityId === sent.id);
  return updates.at(-1)?.activity ?? sent.activity;
}

interface CardElement {
  readonly type?: string;
  readonly text?: string;
  readonly id?: string;
  readonly label?: string;
  readonly style?: string;
  readonly title?: string;
  readonly data?: Record<string, unknown>;
}

export function cardOf(
  activity: Record<string, unknown>,
): { body: CardElement[]; actions: CardElement[] } | undefined {
  const attachments = (activity.attachments ?? []) as { contentType?: string; content?: unknown }[];
  const card = attachments.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
  if (card === undefined) return undefined;
  const content = card.content as { body?: CardElement[]; actions?: CardElement[] };
  return { body: content.body ?? [], actions: content.actions ?? [] };
}

function textOf(activity: Record<string, unknown>): string {
  const card = cardOf(activity);
  if (card === undefined) return String(activity.text ?? '');
  return card.body
    .map((element) => element.text ?? element.label ?? '')
    .filter((text) => text !== '')
    .join('\n');
}

function submitActions(activity: Record<string, unknown>): CardElement[] {
  return (cardOf(activity)?.actions ?? []).filter((action) => action.type === 'Action.Submit');
}

function sspr(action: CardElement): Record<string, unknown> | undefined {
  const data = action.data?.sspr;
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : undefined;
}

function buttonsOf(activity: Record<string, unknown>): { value: string; label: string }[] {
  return submitActions(activity).flatMap((action) => {
    const data = sspr(action);
    if (data?.kind !== 'choice') return [];
    return [{ value: String(data.value), label: String(action.title ?? '') }];
  });
}

function formOf(activity: Record<string, unknown>): SeenReply['form'] {
  const card = cardOf(activity);
  const inputs = (card?.body ?? []).filter((element) => element.type === 'Input.Text');
  const data = submitActions(activity)
    .map(sspr)
    .find((candidate) => candidate?.kind === 'form');
  if (inputs.length === 0 || data === undefined) return undefined;
  return { formId: String(data.formId), fields: inputs.map((input) => String(input.id)) };
}
