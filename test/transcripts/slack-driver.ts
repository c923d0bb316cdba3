import { createHmac, randomBytes } from 'node:crypto';
import type { ApiCall, SlackApiStandIn, StoredMessage } from '../standins/slack-api.js';
import type { ChatDriver, SeenReply } from './chat-driver.js';

export interface SlackDriverOptions {
  /** The bot's request URL, http://127.0.0.1:<port>/slack/events. */
  readonly botUrl: string;
  readonly signingSecret: string;
  readonly api: SlackApiStandIn;
  readonly userId: string;
  /** Set for an Enterprise Grid workspace. */
  readonly enterpriseId?: string;
}

/** The bot's HTTP response to one signed request. */
export interface SlackResponse {
  readonly status: number;
  readonly body: string;
  /** Milliseconds from sending the request to the end of the response. */
  readonly elapsedMs: number;
}

/** Options for one request: a fixed event id or timestamp, a retry number, a bad signature. */
export interface SendOptions {
  readonly eventId?: string;
  /** Epoch seconds for X-Slack-Request-Timestamp; now by default. */
  readonly timestamp?: number;
  readonly retryNum?: number;
  /** Signs with this secret instead of the real one. */
  readonly signWith?: string;
}

/** Quiet time after the last Web API call before a turn's replies count as complete, in ms. */
const QUIET_MS = 250;
const REPLY_TIMEOUT_MS = 20_000;
const APP_ID = 'A0SSPRBOT';

/**
 * One Slack user's side of a DM with the bot. Requests are signed with HMAC-SHA256 over
 * `v0:<timestamp>:<body>` as Slack signs them, and carry Slack's payload shapes: Events
 * API callbacks as JSON, interactivity as a form field `payload`, and slash commands as
 * a form. The bot's replies are read from the Web API stand-in.
 */
export class SlackDriver implements ChatDriver {
  readonly channel: string;
  /** A modal whose submission got an inline error, so it is still open. */
  private openModal: OpenedView | undefined;

  constructor(private readonly options: SlackDriverOptions) {
    this.channel = options.api.dmChannelOf(options.userId);
  }

  get teamId(): string {
    return this.options.api.teamId;
  }

  get userId(): string {
    return this.options.userId;
  }

  async say(text: string): Promise<SeenReply[]> {
    this.openModal = undefined;
    const since = this.options.api.calls.length;
    await this.sendMessage(text);
    return this.repliesSince(since);
  }

  async click(value: string): Promise<SeenReply[]> {
    this.openModal = undefined;
    const found = this.findButton((button) => choiceValueOf(button) === value);
    if (!found) throw new Error(`no button "${value}" is shown in the DM`);
    const since = this.options.api.calls.length;
    await this.clickButton(found.message, found.button);
    return this.repliesSince(since);
  }

  /**
   * Opens the newest form through its button, waits for the modal, and submits it. An
   * inline error comes back in the HTTP response, so it is returned as the reply.
   */
  async submit(fields: Record<string, string>): Promise<SeenReply[]> {
    // After an inline error the modal is still open, and the user corrects it there.
    const opened = this.openModal ?? (await this.openNewestForm());
    this.openModal = undefined;
    const since = this.options.api.calls.length;
    const response = await this.submitView(opened, fields);
    if (response.body !== '') {
      const answer = JSON.parse(response.body) as {
        response_action?: string;
        errors?: Record<string, string>;
      };
      if (answer.response_action === 'errors') {
        this.openModal = opened;
        const text = Object.values(answer.errors ?? {}).join('\n');
        const fieldNames = inputBlockIds(opened);
        return [{ text, buttons: [], form: { formId: formIdOf(opened), fields: fieldNames } }];
      }
    }
    return this.repliesSince(since);
  }

  async close(): Promise<void> {}

  /** Posts a message.im event the way Slack delivers a DM to the bot. */
  sendMessage(text: string, options: SendOptions = {}): Promise<SlackResponse> {
    const ts = slackTs();
    return this.sendEvent(
      {
        type: 'message',
        channel: this.channel,
        user: this.options.userId,
        text: slackEscape(text),
        ts,
        event_ts: ts,
        channel_type: 'im',
        team: this.teamId,
        client_msg_id: randomBytes(16).toString('hex'),
      },
      options,
    );
  }

  /** Posts an Events API callback with `event` inside. */
  sendEvent(event: Record<string, unknown>, options: SendOptions = {}): Promise<SlackResponse> {
    const body = JSON.stringify({
      token: 'deprecated-verification-token',
      team_id: this.teamId,
      enterprise_id: this.options.enterpriseId,
      api_app_id: APP_ID,
      event,
      type: 'event_callback',
      event_id: options.eventId ?? `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        {
          enterprise_id: this.options.enterpriseId ?? null,
          team_id: this.teamId,
          user_id: this.options.api.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
    });
    return this.post(body, 'application/json', options);
  }

  /** Presses a button of a bot message, as a block_actions payload. */
  clickButton(
    message: StoredMessage,
    button: Button,
    options: SendOptions = {},
    actionTs = slackTs(),
  ) {
    const payload = {
      type: 'block_actions',
      user: this.userShape(),
      api_app_id: APP_ID,
      token: 'deprecated-verification-token',
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: message.channel,
        is_ephemeral: false,
      },
      trigger_id: triggerId(),
      team: { id: this.teamId, domain: 'standin' },
      enterprise: this.options.enterpriseId
        ? { id: this.options.enterpriseId, name: 'Grid' }
        : null,
      is_enterprise_install: false,
      channel: { id: message.channel, name: 'directmessage' },
      message: {
        type: 'message',
        user: this.options.api.botUserId,
        bot_id: this.options.api.botId,
        text: message.text,
        ts: message.ts,
        blocks: message.blocks,
      },
      state: { values: {} },
      response_url: `${this.options.api.responseUrl}${randomBytes(4).toString('hex')}`,
      actions: [
        {
          action_id: button.action_id,
          block_id: button.block_id,
          text: button.text,
          value: button.value,
          type: 'button',
          action_ts: actionTs,
        },
      ],
    };
    return this.postInteraction(payload, options);
  }

  /** Presses a button on a published App Home view, as a block_actions payload from a view. */
  clickHomeButton(
    viewId: string,
    view: Record<string, unknown>,
    button: Button,
  ): Promise<SlackResponse> {
    return this.postInteraction({
      type: 'block_actions',
      user: this.userShape(),
      api_app_id: APP_ID,
      token: 'deprecated-verification-token',
      container: { type: 'view', view_id: viewId },
      trigger_id: triggerId(),
      team: { id: this.teamId, domain: 'standin' },
      enterprise: this.options.enterpriseId
        ? { id: this.options.enterpriseId, name: 'Grid' }
        : null,
      is_enterprise_install: false,
      view: { id: viewId, ...view },
      actions: [
        {
          action_id: button.action_id,
          block_id: button.block_id,
          text: button.text,
          value: button.value,
          type: 'button',
          action_ts: slackTs(),
        },
      ],
    });
  }

  /** Presses the newest form button and returns the modal the bot opened. */
  async openNewestForm(): Promise<OpenedView> {
    const found = this.findButton((button) => button.action_id === 'sspr_open_form');
    if (!found) throw new Error('no form button is shown in the DM');
    const since = this.options.api.calls.length;
    await this.clickButton(found.message, found.button);
    const opened = await this.options.api.waitForCall((call) => call.method === 'views.open', {
      since,
      timeoutMs: REPLY_TIMEOUT_MS,
    });
    const view = opened.response.view as OpenedView | undefined;
    if (!opened.response.ok || !view)
      throw new Error(`views.open failed: ${JSON.stringify(opened.response)}`);
    return view;
  }

  /** Submits a modal with values by block id, as a view_submission payload. */
  submitView(view: OpenedView, fields: Record<string, string>, options: SendOptions = {}) {
    const values: Record<string, Record<string, unknown>> = {};
    for (const blockId of inputBlockIds(view)) {
      values[blockId] = { value: { type: 'plain_text_input', value: fields[blockId] ?? null } };
    }
    const payload = {
      type: 'view_submission',
      team: { id: this.teamId, domain: 'standin' },
      enterprise: this.options.enterpriseId
        ? { id: this.options.enterpriseId, name: 'Grid' }
        : null,
      user: this.userShape(),
      api_app_id: APP_ID,
      token: 'deprecated-verification-token',
      trigger_id: triggerId(),
      view: { ...view, state: { values } },
      response_urls: [],
      is_enterprise_install: false,
    };
    return this.postInteraction(payload, options);
  }

  /** Runs the slash command as Slack posts it: a form, from `channelId`. */
  sendCommand(text: string, channelId: string, options: SendOptions = {}): Promise<SlackResponse> {
    const form = new URLSearchParams({
      token: 'deprecated-verification-token',
      team_id: this.teamId,
      team_domain: 'standin',
      channel_id: channelId,
      channel_name: channelId.startsWith('D') ? 'directmessage' : 'general',
      user_id: this.options.userId,
      user_name: this.options.userId.toLowerCase(),
      command: '/sspr',
      text,
      api_app_id: APP_ID,
      is_enterprise_install: 'false',
      response_url: `${this.options.api.responseUrl}${randomBytes(4).toString('hex')}`,
      trigger_id: triggerId(),
    });
    if (this.options.enterpriseId) form.set('enterprise_id', this.options.enterpriseId);
    return this.post(form.toString(), 'application/x-www-form-urlencoded', options);
  }

  postInteraction(payload: object, options: SendOptions = {}): Promise<SlackResponse> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.post(body, 'application/x-www-form-urlencoded', options);
  }

  /** Posts a signed request body to the bot. */
  async post(body: string, contentType: string, options: SendOptions = {}): Promise<SlackResponse> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(
        options.signWith ?? this.options.signingSecret,
        timestamp,
        body,
      ),
    };
    if (options.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(options.retryNum);
      headers['x-slack-retry-reason'] = 'http_timeout';
    }
    const started = Date.now();
    const response = await fetch(this.options.botUrl, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, body: text, elapsedMs: Date.now() - started };
  }

  /** Returns the bot's messages in this DM, oldest first, as the user sees them. */
  dmMessages(): StoredMessage[] {
    return this.options.api.messages.filter(
      (message) => message.channel === this.channel && !message.deleted,
    );
  }

  /**
   * Waits for the bot's posts after Web API call number `since`: at least one message to
   * this DM, then QUIET_MS without further calls.
   */
  async repliesSince(since: number): Promise<SeenReply[]> {
    const api = this.options.api;
    const isPost = (method: string) =>
      method === 'chat.postMessage' || method === 'chat.postEphemeral';
    const isReply = (call: ApiCall) =>
      isPost(call.method) && call.args.channel === this.channel && call.response.ok === true;
    await api.waitForCall(isReply, { since, timeoutMs: REPLY_TIMEOUT_MS });
    let seen = api.calls.length;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      if (api.calls.length === seen) break;
      seen = api.calls.length;
    }
    const posted = api.calls.slice(since).filter(isReply);
    return posted.map((call) =>
      seenReplyOf(call.args.blocks as Block[] | undefined, String(call.args.text ?? '')),
    );
  }

  private findButton(
    match: (button: Button) => boolean,
  ): { message: StoredMessage; button: Button } | undefined {
    for (const message of [...this.dmMessages()].reverse()) {
      const button = buttonsOf(message.blocks as unknown as Block[]).find(match);
      if (button) return { message, button };
    }
    return undefined;
  }

  private userShape() {
    return {
      id: this.options.userId,
      username: this.options.userId.toLowerCase(),
      name: this.options.userId.toLowerCase(),
      team_id: this.teamId,
    };
  }
}

/** A modal as views.open returned it. */
export interface OpenedView {
  readonly id: string;
  readonly hash: string;
  readonly private_metadata?: string;
  readonly callback_id?: string;
  readonly blocks: Block[];
  readonly [key: string]: unknown;
}

export interface Button {
  readonly type: string;
  readonly action_id: string;
  readonly block_id: string;
  readonly text: { type: string; text: string };
  readonly value?: string;
}

interface Block {
  readonly type: string;
  readonly block_id?: string;
  readonly text?: { text: string };
  readonly elements?: {
    type: string;
    text?: string | { text: string };
    action_id?: string;
    value?: string;
  }[];
}

/** X-Slack-Signature for a body: `v0=` and the hex HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function signSlackRequest(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Returns the buttons of a message's actions blocks, each with its block id. */
export function buttonsOf(blocks: readonly Block[]): Button[] {
  const buttons: Button[] = [];
  for (const block of blocks) {
    if (block.type !== 'actions') continue;
    for (const element of block.elements ?? []) {
      if (element.type === 'button')
        buttons.push({ ...(element as unknown as Button), block_id: block.block_id ?? '' });
    }
  }
  return buttons;
}

/** Returns a choice button's value as the engine named it, or a home button's raw value. */
export function choiceValueOf(button: Button): string | undefined {
  if (button.value === undefined) return undefined;
  try {
    const parsed = JSON.parse(button.value) as { v?: unknown };
    return typeof parsed.v === 'string' ? parsed.v : undefined;
  } catch {
    return button.value;
  }
}

function seenReplyOf(blocks: Block[] | undefined, fallbackText: string): SeenReply {
  if (!blocks || blocks.length === 0) return { text: fallbackText, buttons: [] };
  const texts: string[] = [];
  for (const block of blocks) {
    if (block.type === 'section' && block.text) texts.push(block.text.text);
    if (block.type === 'context') {
      for (const element of block.elements ?? []) {
        if (typeof element.text === 'string') texts.push(element.text);
      }
    }
  }
  const buttons: { value: string; label: string }[] = [];
  let form: SeenReply['form'];
  for (const button of buttonsOf(blocks)) {
    if (button.action_id === 'sspr_open_form') {
      const spec = JSON.parse(button.value ?? '{}') as {
        f?: string;
        d?: [string, string, string][];
      };
      form = { formId: spec.f ?? '', fields: (spec.d ?? []).map(([name]) => name) };
      continue;
    }
    const value = choiceValueOf(button);
    if (value !== undefined) buttons.push({ value, label: button.text.text });
  }
  return { text: texts.join('\n'), buttons, ...(form ? { form } : {}) };
}

function inputBlockIds(view: OpenedView): string[] {
  return view.blocks.filter((block) => block.type === 'input').map((block) => block.block_id ?? '');
}

function formIdOf(view: OpenedView): string {
  const metadata = JSON.parse(view.private_metadata ?? '{}') as { f?: string };
  return metadata.f ?? '';
}

/**
 * Escapes text the way Slack delivers typed text in events: `&`, `<` and `>` as
 * entities, and an e-mail address wrapped as `<mailto:address|address>`.
 */
export function slackEscape(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return escaped.replace(
    /[\w.+-]+@[\w-]+(\.[\w-]+)+/g,
    (address) => `<mailto:${address}|${address}>`,
  );
}

let tsSequence = 0;

/** Returns a message or action timestamp in Slack's `seconds.micros` form, unique in this process. */
export function slackTs(): string {
  tsSequence += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(tsSequence).padStart(6, '0')}`;
}

function triggerId(): string {
  return `${Date.now()}.${Math.floor(Math.random() * 1e12)}.${randomBytes(16).toString('hex')}`;
}
