import { webApi } from '@slack/bolt';
import type { Logger } from '../../src/log/logger.js';

/** Retry policy of the Web API client: three retries after 1, 2 and 4 s. */
const RETRY_CONFIG = { retries: 3, factor: 2, minTimeout: 1000 };
/** Milliseconds before one Web API request is abandoned and retried. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface SlackApiOptions {
  readonly token: string;
  /** Base URL of the Web API, `https://slack.com/api/` unless SLACK_API_URL is set. */
  readonly apiUrl: string | undefined;
  readonly logger: Logger;
  readonly clientLogger: webApi.Logger;
}

/**
 * Builds the Web API client options shared by the bot's own client, Bolt's client and the
 * Socket Mode client. On HTTP 429 the client waits for Retry-After and tries again
 * (`rejectRateLimitedCalls: false`), and other failed requests are retried per
 * RETRY_CONFIG.
 */
export function webClientOptions(options: Omit<SlackApiOptions, 'token' | 'logger'>) {
  return {
    ...(options.apiUrl !== undefined ? { slackApiUrl: withSlash(options.apiUrl) } : {}),
    logger: options.clientLogger,
    retryConfig: RETRY_CONFIG,
    rejectRateLimitedCalls: false,
    timeout: REQUEST_TIMEOUT_MS,
  } satisfies webApi.WebClientOptions;
}

/**
 * The Web API calls the adapter makes. Each call logs a failure with the method and
 * Slack's error code and returns undefined, because a failed post has no caller to tell.
 */
export class SlackApi {
  readonly client: webApi.WebClient;
  private readonly log: Logger;

  constructor(options: SlackApiOptions) {
    this.client = new webApi.WebClient(options.token, webClientOptions(options));
    this.log = options.logger;
  }

  /**
   * Runs one Web API call. Slack error codes listed in `expected` are logged at warn,
   * every other failure at error.
   */
  async call<T>(
    method: string,
    run: (client: webApi.WebClient) => Promise<T>,
    expected: readonly string[] = [],
  ): Promise<T | undefined> {
    try {
      return await run(this.client);
    } catch (error) {
      const slackError = slackErrorOf(error);
      const fields = { method, code: errorCodeOf(error), slackError };
      if (slackError !== undefined && expected.includes(slackError)) {
        this.log.warn(fields, 'slack api call rejected');
      } else {
        this.log.error({ ...fields, err: error }, 'slack api call failed');
      }
      return undefined;
    }
  }
}

/** Slack's `error` field, such as `channel_not_found`, from a response with ok: false. */
export function slackErrorOf(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown';
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
