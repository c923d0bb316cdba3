import {
  type Activity,
  ActivityTypes,
  CloudAdapter,
  type ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
  TurnContext,
} from 'botbuilder';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '../../src/log/logger.js';
import type { AdapterOptions, PlatformAdapter } from '../../src/server/platform-adapter.js';
import { readActivity } from './activity-input.js';
import { safeError } from './safe-error.js';
import {
  assertAuthenticationConfigured,
  authenticationDisabled,
  type BotFrameworkEndpoints,
  createAuthentication,
  type ServiceClientCredentialsFactory,
} from './teams-auth.js';
import { conversationKindOf, tenantAllowed, tenantOf } from './teams-identity.js';
import { connectorCallsOf, type PipelineInput, TurnPipeline } from './turn-pipeline.js';

/** The route that Azure Bot Service posts activities to. */
export const TEAMS_MESSAGES_PATH = '/api/messages';

/**
 * Teams drops a bot's reply after about 15 seconds, so a turn that runs longer than
 * this gets a "still working" reply and its result is sent proactively.
 */
const DEFAULT_SLOW_TURN_MS = 10_000;

/**
 * Teams sends both `conversationUpdate` and `installationUpdate` for one install. The
 * second welcome within this window is skipped.
 */
const WELCOME_WINDOW_MS = 60_000;

export interface TeamsAdapterDependencies {
  /**
   * botbuilder's endpoint settings for a private cloud or a local Bot Connector stand-in.
   * Unset means the public Azure cloud.
   */
  readonly endpoints?: BotFrameworkEndpoints;
  /** Outbound credentials; by default built from MICROSOFT_APP_* by botbuilder. */
  readonly credentialsFactory?: ServiceClientCredentialsFactory;
  /** Milliseconds a turn may run before the user gets a "still working" reply (default 10000). */
  readonly slowTurnMs?: number;
}

/**
 * Microsoft Teams over botbuilder's CloudAdapter at POST /api/messages. Personal chat runs
 * the flows, and channels and group chats get a pointer to it. Replies are rendered as
 * Adaptive Cards, and a submitted card is replaced so it cannot be submitted again.
 */
export function createTeamsAdapter(
  options: AdapterOptions,
  dependencies: TeamsAdapterDependencies = {},
): PlatformAdapter {
  assertAuthenticationConfigured(options.config);
  const bot = new TeamsBot(options, dependencies);
  return {
    name: 'teams',
    mount: (app: Express) => {
      app.post(
        TEAMS_MESSAGES_PATH,
        express.json({ limit: '256kb' }),
        requireActivityShape,
        (request, response) => bot.process(request, response),
      );
    },
    start: async () => bot.logStart(),
    stop: () => bot.drain(),
  };
}

/**
 * Rejects a body that is not an activity with a type and an http(s) serviceUrl before
 * botbuilder processes it. Without a serviceUrl botbuilder would fall back to the public Bot
 * Framework host, and without a type it returns 500 with a stack.
 */
const requireActivityShape: RequestHandler = (request, response, next) => {
  const body = request.body as { type?: unknown; serviceUrl?: unknown } | undefined;
  const serviceUrl = typeof body?.serviceUrl === 'string' ? body.serviceUrl : '';
  if (typeof body?.type !== 'string' || !/^https?:\/\//.test(serviceUrl)) {
    response
      .status(400)
      .json({ error: 'the body must be an activity with a type and a serviceUrl' });
    return;
  }
  next();
};

class TeamsBot {
  private readonly adapter: CloudAdapter;
  private readonly authentication: ConfigurationBotFrameworkAuthentication;
  private readonly pipeline: TurnPipeline;
  private readonly log: Logger;
  private readonly slowTurnMs: number;
  /** Proactive sends still running, awaited on stop. */
  private readonly pending = new Set<Promise<void>>();
  /** Conversation id to the time of its last welcome. */
  private readonly welcomed = new Map<string, number>();

  constructor(
    private readonly options: AdapterOptions,
    dependencies: TeamsAdapterDependencies,
  ) {
    this.authentication = createAuthentication(
      options.config,
      dependencies.endpoints,
      dependencies.credentialsFactory,
    );
    this.adapter = new CloudAdapter(this.authentication);
    this.adapter.onTurnError = (context, error) => this.onTurnError(context, error);
    this.log = options.logger.child({ platform: 'teams' });
    this.pipeline = new TurnPipeline(options.engine, options.config, this.log);
    this.slowTurnMs = dependencies.slowTurnMs ?? DEFAULT_SLOW_TURN_MS;
  }

  logStart(): void {
    if (authenticationDisabled(this.options.config)) {
      this.log.warn(
        {},
        'teams authentication is off: accepting unsigned activities (development only)',
      );
      return;
    }
    this.log.info({ appType: this.options.config.MICROSOFT_APP_TYPE }, 'teams adapter ready');
  }

  /** Authenticates the request (401 on a missing or invalid token) and runs the turn. */
  async process(request: Request, response: Response): Promise<void> {
    if (!(await this.authenticated(request, response))) return;
    await this.adapter.process(request, response, (context) => this.onActivity(context));
  }

  /**
   * Checks the token before CloudAdapter does. CloudAdapter in botbuilder 4.23 returns 500
   * for a token with a bad signature, because the jsonwebtoken error is not an
   * AuthenticationError. Here every token failure is a 401, and a failure to load the
   * signing keys is a 503.
   */
  private async authenticated(request: Request, response: Response): Promise<boolean> {
    const activity = request.body as Activity | undefined;
    if (typeof activity !== 'object' || activity === null) return true;
    const header = request.headers.authorization ?? '';
    try {
      await this.authentication.authenticateRequest(activity, header);
      return true;
    } catch (error) {
      const status = (error as { statusCode?: unknown }).statusCode;
      const unavailable = typeof status === 'number' && status >= 500;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.log.warn(
        { reason, activityId: activity.id, hasToken: header !== '' },
        'teams request rejected',
      );
      response
        .status(unavailable ? 503 : 401)
        .json({ error: unavailable ? 'unavailable' : 'unauthorized' });
      return false;
    }
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async onActivity(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const read = readActivity(activity);
    if (read.kind === 'ignored') return;
    if (read.kind === 'turn' && read.input.kind === 'start' && this.welcomedRecently(activity)) {
      return;
    }

    const tenantId = tenantOf(activity);
    const allowedTenants = this.options.config.TEAMS_ALLOWED_TENANTS;
    if (tenantId === undefined || !tenantAllowed(tenantId, allowedTenants)) {
      this.log.warn({ tenantId, activityId: activity.id }, 'teams tenant rejected');
      await context.sendActivity(this.pipeline.text('teams.tenantRefused'));
      return;
    }
    if (read.kind === 'unreadable') {
      this.log.warn(
        { activityId: activity.id, problem: read.problem },
        'card submission unreadable',
      );
      await context.sendActivity(
        this.pipeline.text('teams.submitUnreadable', { problem: read.problem }),
      );
      return;
    }

    const conversationKind = conversationKindOf(activity);
    // Not awaited: a slow Bot Connector must not eat into the turn's deadline.
    if (conversationKind === 'direct') void this.sendTyping(context);
    const input = {
      activity,
      input: read.input,
      submitted: read.submitted,
      conversationKind,
      tenantId,
    };
    await this.runPipeline(context, input);
  }

  /**
   * Runs the member lookup and the turn. When they outlast `slowTurnMs`, the user gets a
   * "still working" reply, the request completes, and the replies follow in a proactive
   * message.
   */
  private async runPipeline(context: TurnContext, input: PipelineInput): Promise<void> {
    const work = this.pipeline.run(input, connectorCallsOf(context));
    const activities = await withDeadline(work, this.slowTurnMs);
    if (activities !== undefined) {
      if (activities.length > 0) await context.sendActivities(activities);
      return;
    }

    const activityId = input.activity.id;
    this.log.warn({ activityId, slowTurnMs: this.slowTurnMs }, 'turn is slow, replying later');
    await context.sendActivity(this.pipeline.text('teams.stillWorking'));
    const reference = TurnContext.getConversationReference(input.activity);
    this.track(this.sendLater(work, reference, activityId));
  }

  private async sendLater(
    work: Promise<Partial<Activity>[]>,
    reference: Partial<ConversationReference>,
    activityId: string | undefined,
  ): Promise<void> {
    try {
      const activities = await work;
      if (activities.length === 0) return;
      const appId = this.options.config.MICROSOFT_APP_ID ?? '';
      await this.adapter.continueConversationAsync(appId, reference, async (context) => {
        await context.sendActivities(activities);
      });
    } catch (error) {
      this.log.error({ error: safeError(error), activityId }, 'proactive reply failed');
    }
  }

  private track(task: Promise<void>): void {
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  private async sendTyping(context: TurnContext): Promise<void> {
    try {
      await context.sendActivity({ type: ActivityTypes.Typing });
    } catch (error) {
      this.log.warn(
        { error: safeError(error), activityId: context.activity.id },
        'typing indicator failed',
      );
    }
  }

  /** True when this conversation got a welcome within the window; records this one otherwise. */
  private welcomedRecently(activity: Activity): boolean {
    const now = Date.now();
    for (const [id, at] of this.welcomed) {
      if (now - at > WELCOME_WINDOW_MS) this.welcomed.delete(id);
    }
    const conversationId = activity.conversation?.id ?? '';
    if (this.welcomed.has(conversationId)) return true;
    // NOTE: this record lives in one process; with several replicas each may welcome once.
    this.welcomed.set(conversationId, now);
    return false;
  }

  private async onTurnError(context: TurnContext, error: Error): Promise<void> {
    this.log.error(
      { error: safeError(error), activityId: context.activity.id },
      'teams turn failed',
    );
    try {
      await context.sendActivity(this.pipeline.text('error.internal'));
    } catch (sendError) {
      this.log.error({ error: safeError(sendError) }, 'teams error reply failed');
    }
  }
}

/** Resolves with the work's result, or with undefined once `ms` have passed first. */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
