import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachSocketMode, type SocketModeHub } from './slack-socket-mode.js';

/**
 * A local HTTP server that implements the Slack Web API methods sspr-bot calls, at
 * `POST /api/<method>`. Arguments arrive form-encoded (with `blocks` and `view` as JSON
 * strings, as @slack/web-api sends them) or as a JSON body. The bot token must come as
 * `Authorization: Bearer <token>` or a `token` argument. Responses are HTTP 200 with
 * `{ ok: true, ... }` or `{ ok: false, error }`, shaped like the response types of
 * @slack/web-api 8, and HTTP 429 with Retry-After for a rate limit. Messages, views and DM
 * channels are kept in memory so that tests can read what the bot showed.
 */

export interface SlackApiStandInOptions {
  /** The bot token the stand-in accepts. Random `xoxb-...` when omitted. */
  readonly token?: string;
  /** The app-level token apps.connections.open accepts. Random `xapp-...` when omitted. */
  readonly appToken?: string;
  readonly teamId?: string;
  readonly botUserId?: string;
  readonly botId?: string;
}

/** A user as users.info reports it. */
export interface StandInUser {
  /** profile.email; left out of the profile when undefined, as without users:read.email. */
  email?: string;
  isBot?: boolean;
  deleted?: boolean;
}

export interface ApiCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  /** Epoch milliseconds when the request arrived. */
  readonly at: number;
  /** The response body the stand-in sent; `{ ok: false, error: 'ratelimited' }` for a 429. */
  readonly response: Record<string, unknown>;
}

export interface StoredMessage {
  readonly channel: string;
  readonly ts: string;
  text: string;
  blocks: Record<string, unknown>[];
  /** Set for chat.postEphemeral, which shows the message to this user only. */
  readonly ephemeralUser?: string;
  deleted: boolean;
}

export interface StoredView {
  readonly id: string;
  hash: string;
  view: Record<string, unknown>;
  readonly triggerId?: string;
  readonly publishedFor?: string;
}

export interface SlackApiStandIn {
  /** Base URL for SLACK_API_URL, ending in `/api/`. */
  readonly url: string;
  /** Base URL for `response_url` values in payloads; a POST there returns `{ ok: true }`. */
  readonly responseUrl: string;
  readonly token: string;
  readonly appToken: string;
  /** Socket Mode connections opened through apps.connections.open. */
  readonly socketMode: SocketModeHub;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  /** Every API call, oldest first, including refused ones. */
  readonly calls: ApiCall[];
  /** users.info data by user id. Unknown ids get `user_not_found`. */
  readonly users: Map<string, StandInUser>;
  /** Messages the bot posted, oldest first. */
  readonly messages: StoredMessage[];
  /** Modals opened and home tabs published, by view id. */
  readonly views: Map<string, StoredView>;
  /** The DM channel id conversations.open returns for a user. */
  dmChannelOf(userId: string): string;
  /** Delays every response by `ms` milliseconds. */
  setDelay(ms: number): void;
  /** Makes the next call of `method` answer `{ ok: false, error }`. */
  failNext(method: string, error: string): void;
  /** Makes the next call of `method` answer HTTP 429 with this Retry-After, in seconds. */
  rateLimitNext(method: string, retryAfterSeconds: number): void;
  /** Resolves with the first call from index `since` on that matches, or rejects after the timeout. */
  waitForCall(
    match: (call: ApiCall) => boolean,
    options?: { since?: number; timeoutMs?: number },
  ): Promise<ApiCall>;
  close(): Promise<void>;
}

type Result = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };
type Handler = (args: Record<string, unknown>) => Result;

/** Slack's documented limits that the stand-in enforces, in characters or items. */
const LIMITS = {
  blocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  buttonText: 75,
  buttonValue: 2000,
  actionsElements: 25,
  id: 255,
  modalLabel: 24,
  privateMetadata: 3000,
};

export async function startSlackApiStandIn(
  options: SlackApiStandInOptions = {},
): Promise<SlackApiStandIn> {
  const token = options.token ?? `xoxb-${randomBytes(12).toString('hex')}`;
  const appToken = options.appToken ?? `xapp-1-${randomBytes(12).toString('hex')}`;
  const teamId = options.teamId ?? 'T0STANDIN';
  const botUserId = options.botUserId ?? 'U0SSPRBOT';
  const botId = options.botId ?? 'B0SSPRBOT';
  const calls: ApiCall[] = [];
  const users = new Map<string, StandInUser>();
  const messages: StoredMessage[] = [];
  const views = new Map<string, StoredView>();
  const usedTriggers = new Set<string>();
  const failures = new Map<string, string[]>();
  const rateLimits = new Map<string, number[]>();
  let delayMs = 0;
  let tsCounter = 0;

  const nextTs = () => {
    tsCounter += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(tsCounter).padStart(6, '0')}`;
  };
  const ok = (body: Record<string, unknown> = {}): Result => ({
    status: 200,
    body: { ok: true, ...body },
  });
  const fail = (error: string, extra: Record<string, unknown> = {}): Result => ({
    status: 200,
    body: { ok: false, error, ...extra },
  });
  const dmChannelOf = (userId: string) => `D${userId.replace(/^[UW]/, '')}`;
  const findMessage = (channel: unknown, ts: unknown) =>
    messages.find(
      (message) => message.channel === channel && message.ts === ts && !message.deleted,
    );

  const methods: Record<string, Handler> = {
    'apps.connections.open': () => ok({ url: socketMode.newUrl() }),

    'auth.test': () =>
      ok({
        url: 'https://standin.slack.test/',
        team: 'Stand-in',
        user: 'sspr-bot',
        team_id: teamId,
        user_id: botUserId,
        bot_id: botId,
        is_enterprise_install: false,
      }),

    'users.info': (args) => {
      const id = String(args.user ?? '');
      const user = users.get(id);
      if (!user) return fail('user_not_found');
      const profile: Record<string, unknown> = { real_name: id, display_name: id };
      if (user.email !== undefined) profile.email = user.email;
      return ok({
        user: {
          id,
          team_id: teamId,
          name: id.toLowerCase(),
          deleted: user.deleted ?? false,
          is_bot: user.isBot ?? false,
          profile,
        },
      });
    },

    'conversations.open': (args) => {
      const ids = String(args.users ?? '')
        .split(',')
        .filter(Boolean);
      if (ids.length === 0) return fail('users_list_not_supplied');
      if (ids.length > 1)
        return fail('not_implemented', { detail: 'the stand-in opens 1:1 DMs only' });
      const [id] = ids as [string];
      if (!users.has(id)) return fail('user_not_found');
      return ok({ channel: { id: dmChannelOf(id) } });
    },

    'chat.postMessage': (args) => post(args),
    'chat.postEphemeral': (args) => {
      if (typeof args.user !== 'string' || args.user === '') return fail('user_not_in_channel');
      const posted = post(args, args.user);
      return posted.body.ok ? ok({ message_ts: posted.body.ts }) : posted;
    },

    'chat.update': (args) => {
      const message = findMessage(args.channel, args.ts);
      if (!message) return fail('message_not_found');
      if (message.ephemeralUser !== undefined) return fail('cant_update_message');
      const invalid = invalidContent(args);
      if (invalid) return invalid;
      message.text = typeof args.text === 'string' ? args.text : message.text;
      message.blocks = Array.isArray(args.blocks)
        ? (args.blocks as Record<string, unknown>[])
        : message.blocks;
      return ok({
        channel: message.channel,
        ts: message.ts,
        text: message.text,
        message: shapeOf(message),
      });
    },

    // A bot token may delete only the bot's own messages.
    'chat.delete': (args) => {
      const message = findMessage(args.channel, args.ts);
      if (!message) return fail('cant_delete_message');
      message.deleted = true;
      return ok({ channel: message.channel, ts: message.ts });
    },

    'views.open': (args) => {
      const triggerId = typeof args.trigger_id === 'string' ? args.trigger_id : '';
      if (triggerId === '') return fail('invalid_arguments');
      if (usedTriggers.has(triggerId)) return fail('expired_trigger_id');
      const invalid = invalidModal(args.view);
      if (invalid) return invalid;
      usedTriggers.add(triggerId);
      return ok({ view: store(args.view as Record<string, unknown>, { triggerId }) });
    },

    'views.update': (args) => {
      const stored = typeof args.view_id === 'string' ? views.get(args.view_id) : undefined;
      if (!stored) return fail('not_found');
      if (typeof args.hash === 'string' && args.hash !== stored.hash) return fail('hash_conflict');
      const invalid = invalidModal(args.view);
      if (invalid) return invalid;
      stored.view = args.view as Record<string, unknown>;
      stored.hash = newHash();
      return ok({ view: shapeOfView(stored) });
    },

    'views.publish': (args) => {
      const userId = typeof args.user_id === 'string' ? args.user_id : '';
      if (!users.has(userId)) return fail('user_not_found');
      const view = args.view as Record<string, unknown> | undefined;
      if (view?.type !== 'home') return fail('invalid_arguments');
      const blocks = view.blocks;
      if (!Array.isArray(blocks) || blocks.length > LIMITS.modalBlocks)
        return fail('invalid_blocks');
      return ok({ view: store(view, { publishedFor: userId }) });
    },
  };

  function post(args: Record<string, unknown>, ephemeralUser?: string): Result {
    const channel = typeof args.channel === 'string' ? args.channel : '';
    if (!/^[CDG][A-Z0-9]+$/.test(channel)) return fail('channel_not_found');
    if (typeof args.text !== 'string' && !Array.isArray(args.blocks)) return fail('no_text');
    const invalid = invalidContent(args);
    if (invalid) return invalid;
    const message: StoredMessage = {
      channel,
      ts: nextTs(),
      text: typeof args.text === 'string' ? args.text : '',
      blocks: Array.isArray(args.blocks) ? (args.blocks as Record<string, unknown>[]) : [],
      ...(ephemeralUser !== undefined ? { ephemeralUser } : {}),
      deleted: false,
    };
    messages.push(message);
    return ok({ channel, ts: message.ts, message: shapeOf(message) });
  }

  function shapeOf(message: StoredMessage) {
    return {
      type: 'message',
      user: botUserId,
      bot_id: botId,
      text: message.text,
      ts: message.ts,
      team: teamId,
      blocks: message.blocks,
    };
  }

  function store(
    view: Record<string, unknown>,
    extra: { triggerId?: string; publishedFor?: string },
  ) {
    const stored: StoredView = {
      id: `V${randomBytes(5).toString('hex').toUpperCase()}`,
      hash: newHash(),
      view,
      ...extra,
    };
    views.set(stored.id, stored);
    return shapeOfView(stored);
  }

  function shapeOfView(stored: StoredView) {
    return {
      id: stored.id,
      team_id: teamId,
      app_id: 'A0SSPRBOT',
      bot_id: botId,
      root_view_id: stored.id,
      previous_view_id: null,
      hash: stored.hash,
      state: { values: {} },
      private_metadata: '',
      callback_id: '',
      ...stored.view,
    };
  }

  const server = createServer((request, response) => {
    readBody(request)
      .then((raw) => route(request, raw))
      .then((result) => respondLater(response, result))
      .catch(() =>
        respondLater(response, { status: 500, body: { ok: false, error: 'internal_error' } }),
      );
  });

  function route(request: IncomingMessage, raw: string): Result {
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    if (request.method === 'POST' && path.startsWith('/response/')) return ok();
    const method = path.startsWith('/api/') ? path.slice('/api/'.length) : '';
    const args = parseArgs(request, raw);
    const result = answer(method, request, args);
    calls.push({ method, args: withoutToken(args), at: Date.now(), response: result.body });
    return result;
  }

  function answer(method: string, request: IncomingMessage, args: Record<string, unknown>): Result {
    if (request.method !== 'POST') return fail('invalid_request');
    const handler = methods[method];
    if (!handler) return fail('unknown_method');
    const presented =
      bearerOf(request.headers.authorization) ??
      (typeof args.token === 'string' ? args.token : undefined);
    if (presented === undefined) return fail('not_authed');
    // apps.connections.open takes only the app-level token, and every other method the bot token.
    const expected = method === 'apps.connections.open' ? appToken : token;
    if (presented !== expected) {
      const otherKind = presented === token || presented === appToken;
      return fail(otherKind ? 'not_allowed_token_type' : 'invalid_auth');
    }

    const retryAfter = rateLimits.get(method)?.shift();
    if (retryAfter !== undefined) {
      return {
        status: 429,
        body: { ok: false, error: 'ratelimited' },
        headers: { 'retry-after': String(retryAfter) },
      };
    }
    const failure = failures.get(method)?.shift();
    if (failure !== undefined) return fail(failure);
    return handler(args);
  }

  function respondLater(response: ServerResponse, result: Result): void {
    const send = () => {
      response.writeHead(result.status, {
        'content-type': 'application/json; charset=utf-8',
        ...result.headers,
      });
      response.end(JSON.stringify(result.body));
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  }

  const socketMode = attachSocketMode(server, () => base);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: `${base}/api/`,
    responseUrl: `${base}/response/`,
    token,
    appToken,
    socketMode,
    teamId,
    botUserId,
    botId,
    calls,
    users,
    messages,
    views,
    dmChannelOf,
    setDelay: (ms) => {
      delayMs = ms;
    },
    failNext: (method, error) => {
      failures.set(method, [...(failures.get(method) ?? []), error]);
    },
    rateLimitNext: (method, seconds) => {
      rateLimits.set(method, [...(rateLimits.get(method) ?? []), seconds]);
    },
    waitForCall: (match, waitOptions = {}) => waitForCall(calls, match, waitOptions),
    close: () =>
      new Promise<void>((resolve) => {
        socketMode.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function waitForCall(
  calls: readonly ApiCall[],
  match: (call: ApiCall) => boolean,
  options: { since?: number; timeoutMs?: number },
): Promise<ApiCall> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const found = calls.slice(options.since ?? 0).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting for a Slack API call');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Checks the limits Slack enforces on message blocks and answers `invalid_blocks` past them. */
function invalidContent(args: Record<string, unknown>): Result | undefined {
  if (args.blocks === undefined) return undefined;
  const problem = blockProblem(args.blocks, LIMITS.blocks);
  return problem ? invalidBlocks(problem) : undefined;
}

function invalidModal(view: unknown): Result | undefined {
  if (typeof view !== 'object' || view === null)
    return { status: 200, body: { ok: false, error: 'invalid_arguments' } };
  const modal = view as Record<string, unknown>;
  if (modal.type !== 'modal') return invalidArguments('view.type must be modal');
  for (const key of ['title', 'submit', 'close'] as const) {
    const text = (modal[key] as { text?: unknown } | undefined)?.text;
    if (key === 'title' && typeof text !== 'string')
      return invalidArguments('view.title is required');
    if (typeof text === 'string' && text.length > LIMITS.modalLabel) {
      return invalidArguments(`view.${key}.text must be at most ${LIMITS.modalLabel} characters`);
    }
  }
  if (
    typeof modal.private_metadata === 'string' &&
    modal.private_metadata.length > LIMITS.privateMetadata
  ) {
    return invalidArguments('view.private_metadata must be at most 3000 characters');
  }
  const problem = blockProblem(modal.blocks, LIMITS.modalBlocks);
  return problem ? invalidBlocks(problem) : undefined;
}

function blockProblem(blocks: unknown, maxBlocks: number): string | undefined {
  if (!Array.isArray(blocks)) return 'blocks must be an array';
  if (blocks.length > maxBlocks) return `at most ${maxBlocks} blocks`;
  for (const [index, block] of blocks.entries()) {
    const problem = oneBlockProblem(block as Record<string, unknown>);
    if (problem) return `[${index}] ${problem}`;
  }
  return undefined;
}

function oneBlockProblem(block: Record<string, unknown>): string | undefined {
  if (typeof block.type !== 'string') return 'type is required';
  if (typeof block.block_id === 'string' && block.block_id.length > LIMITS.id)
    return 'block_id too long';
  if (block.type === 'section') {
    const text = (block.text as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string' || text.length === 0) return 'section text is required';
    if (text.length > LIMITS.sectionText) return 'section text too long';
  }
  if (block.type === 'actions') {
    const elements = block.elements;
    if (!Array.isArray(elements) || elements.length === 0) return 'actions need elements';
    if (elements.length > LIMITS.actionsElements) return 'too many elements';
    const ids = new Set<string>();
    for (const element of elements as Record<string, unknown>[]) {
      const problem = buttonProblem(element);
      if (problem) return problem;
      const id = String(element.action_id);
      if (ids.has(id)) return `duplicate action_id ${id}`;
      ids.add(id);
    }
  }
  if (block.type === 'input') {
    const label = (block.label as { type?: unknown } | undefined)?.type;
    if (label !== 'plain_text') return 'input label must be plain_text';
    if (typeof block.element !== 'object' || block.element === null)
      return 'input element is required';
  }
  return undefined;
}

function buttonProblem(element: Record<string, unknown>): string | undefined {
  if (element.type !== 'button') return undefined;
  const text = (element.text as { text?: unknown } | undefined)?.text;
  if (typeof text !== 'string' || text.length > LIMITS.buttonText)
    return 'button text missing or too long';
  if (typeof element.value === 'string' && element.value.length > LIMITS.buttonValue)
    return 'button value too long';
  if (typeof element.action_id !== 'string' || element.action_id.length > LIMITS.id)
    return 'action_id missing or too long';
  return undefined;
}

function invalidBlocks(problem: string): Result {
  return {
    status: 200,
    body: {
      ok: false,
      error: 'invalid_blocks',
      response_metadata: { messages: [`[ERROR] ${problem}`] },
    },
  };
}

function invalidArguments(problem: string): Result {
  return {
    status: 200,
    body: {
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: [`[ERROR] ${problem}`] },
    },
  };
}

/** Form or JSON arguments; form values holding JSON objects or arrays are parsed, as Slack does. */
function parseArgs(request: IncomingMessage, raw: string): Record<string, unknown> {
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      return typeof parsed === 'object' && parsed !== null
        ? (parsed as Record<string, unknown>)
        : {};
    } catch {
      return {};
    }
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = /^[[{]/.test(value) ? parseJson(value) : value;
  }
  return args;
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function bearerOf(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

function withoutToken(args: Record<string, unknown>): Record<string, unknown> {
  const { token: _token, ...rest } = args;
  return rest;
}

function newHash(): string {
  return `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
