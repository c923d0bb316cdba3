import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';

/**
 * A local Bot Connector service for tests. It implements the REST routes a bot calls
 * (send, reply, update, member lookup, create conversation) with the Bot Connector's
 * response shapes, and the OpenID metadata and signing keys that botbuilder fetches to
 * check the tokens on incoming activities. It listens on 127.0.0.1 only.
 */

/** A Teams member record, as GET /v3/conversations/{id}/members/{id} returns it. */
export interface TeamsChannelAccount {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
  readonly email?: string;
  readonly userPrincipalName?: string;
  readonly tenantId?: string;
  readonly givenName?: string;
  readonly surname?: string;
  readonly userRole?: string;
}

/** An activity the bot sent, with the route it used. */
export interface SentActivity {
  /** The id this stand-in gave the activity. */
  readonly id: string;
  readonly conversationId: string;
  /** The activity it replies to, from the reply route's path. */
  readonly replyToId: string | undefined;
  readonly activity: Record<string, unknown>;
  readonly authorization: string | undefined;
}

/** An update the bot made to an activity it sent before. */
export interface UpdatedActivity {
  readonly conversationId: string;
  readonly activityId: string;
  readonly activity: Record<string, unknown>;
  readonly authorization: string | undefined;
}

export interface TokenOptions {
  /** The bot's app id; it becomes the `aud` claim. */
  readonly audience: string;
  /** The `serviceurl` claim, which must equal the activity's serviceUrl. */
  readonly serviceUrl?: string;
  /** Seconds until expiry; negative values give an expired token. */
  readonly expiresInSeconds?: number;
  /** Signs with a key that the published key set does not contain. */
  readonly foreignKey?: boolean;
  readonly issuer?: string;
}

export interface BotConnectorStandIn {
  /** http://127.0.0.1:<port>, used as the activities' serviceUrl. */
  readonly url: string;
  /** The token issuer the stand-in signs as (botbuilder's ToBotFromChannelTokenIssuer). */
  readonly issuer: string;
  /** The OpenID metadata URL (botbuilder's ToBotFromChannelOpenIdMetadataUrl). */
  readonly openIdMetadataUrl: string;
  readonly activities: SentActivity[];
  readonly updates: UpdatedActivity[];
  readonly createdConversations: Record<string, unknown>[];
  /** Every Bot Connector REST request, as `METHOD /path`, oldest first. */
  readonly requests: string[];
  /** Member records by member id (`29:...`) or AAD object id; tests set them per user. */
  readonly members: Map<string, TeamsChannelAccount>;
  /**
   * Fails REST requests whose `METHOD /path` matches, with `status` and the Bot
   * Connector's error body. Undefined stops the failures.
   */
  failRequests(match: RegExp | undefined, status?: number): void;
  /** Delays every Bot Connector REST response by `ms`. */
  setDelay(ms: number): void;
  /**
   * Requires `Authorization: Bearer <token>` on the REST routes; undefined accepts
   * requests without one, as the Bot Connector does for the Emulator.
   */
  requireBearer(token: string | undefined): void;
  /** Signs a channel token for an incoming activity with the published key. */
  signToken(options: TokenOptions): string;
  close(): Promise<void>;
}

export async function startBotConnectorStandIn(): Promise<BotConnectorStandIn> {
  const signingKey = newRsaKey();
  const foreignKey = newRsaKey();
  const keyId = `test-${randomUUID()}`;
  const state = {
    delayMs: 0,
    failure: undefined as { match: RegExp; status: number } | undefined,
    bearer: undefined as string | undefined,
    activities: [] as SentActivity[],
    updates: [] as UpdatedActivity[],
    createdConversations: [] as Record<string, unknown>[],
    requests: [] as string[],
    members: new Map<string, TeamsChannelAccount>(),
  };

  const app = express();
  app.use(express.json({ limit: '1mb' }));
  let baseUrl = '';

  app.get('/.well-known/openidconfiguration', (_request, response) => {
    response.json({
      issuer: baseUrl,
      authorization_endpoint: `${baseUrl}/authorize`,
      jwks_uri: `${baseUrl}/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    });
  });
  app.get('/keys', (_request, response) => {
    const jwk = signingKey.publicKey.export({ format: 'jwk' });
    response.json({
      keys: [
        {
          kty: 'RSA',
          use: 'sig',
          kid: keyId,
          n: jwk.n,
          e: jwk.e,
          endorsements: ['msteams', 'emulator'],
        },
      ],
    });
  });

  const connector = express.Router();
  connector.use(async (request: Request, response: Response, next: NextFunction) => {
    const line = `${request.method} ${request.originalUrl}`;
    state.requests.push(line);
    if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    if (state.bearer !== undefined && request.headers.authorization !== `Bearer ${state.bearer}`) {
      response.status(401).json({ message: 'Authorization has been denied for this request.' });
      return;
    }
    if (state.failure?.match.test(line)) {
      response.status(state.failure.status).json(errorBody('ServiceError', 'Injected failure'));
      return;
    }
    next();
  });
  connector.post('/conversations', (request, response) => {
    const id = `a:${randomUUID()}`;
    state.createdConversations.push({ id, ...request.body });
    response.status(201).json({ id, activityId: randomUUID(), serviceUrl: baseUrl });
  });
  connector.post('/conversations/:conversationId/activities', (request, response) => {
    response.status(201).json({ id: record(request, undefined) });
  });
  connector.post('/conversations/:conversationId/activities/:activityId', (request, response) => {
    response.status(201).json({ id: record(request, String(request.params.activityId)) });
  });
  connector.put('/conversations/:conversationId/activities/:activityId', (request, response) => {
    const activityId = String(request.params.activityId);
    const conversationId = String(request.params.conversationId);
    const known = state.activities.some(
      (sent) => sent.id === activityId && sent.conversationId === conversationId,
    );
    if (!known) {
      response.status(404).json(errorBody('ActivityNotFoundInConversation', 'Activity not found'));
      return;
    }
    state.updates.push({
      conversationId,
      activityId,
      activity: request.body as Record<string, unknown>,
      authorization: request.headers.authorization,
    });
    response.status(200).json({ id: activityId });
  });
  connector.get('/conversations/:conversationId/members/:memberId', (request, response) => {
    const member = state.members.get(String(request.params.memberId));
    if (member === undefined) {
      response.status(404).json(errorBody('MemberNotFoundInConversation', 'Member not found'));
      return;
    }
    response.status(200).json(member);
  });
  app.use('/v3', connector);

  function record(request: Request, replyToId: string | undefined): string {
    const id = `1:${randomUUID()}`;
    state.activities.push({
      id,
      conversationId: String(request.params.conversationId),
      replyToId,
      activity: request.body as Record<string, unknown>,
      authorization: request.headers.authorization,
    });
    return id;
  }

  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    issuer: baseUrl,
    openIdMetadataUrl: `${baseUrl}/.well-known/openidconfiguration`,
    activities: state.activities,
    updates: state.updates,
    createdConversations: state.createdConversations,
    requests: state.requests,
    members: state.members,
    failRequests: (match, status = 500) => {
      state.failure = match === undefined ? undefined : { match, status };
    },
    setDelay: (ms) => {
      state.delayMs = ms;
    },
    requireBearer: (token) => {
      state.bearer = token;
    },
    signToken: (options) =>
      signJwt(options.foreignKey ? foreignKey.privateKey : signingKey.privateKey, keyId, {
        iss: options.issuer ?? baseUrl,
        aud: options.audience,
        serviceurl: options.serviceUrl ?? baseUrl,
        nbf: nowSeconds() - 60,
        exp: nowSeconds() + (options.expiresInSeconds ?? 600),
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function newRsaKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** Signs an RS256 JWT the way the Bot Connector signs the tokens it sends to bots. */
function signJwt(key: KeyObject, keyId: string, claims: Record<string, unknown>): string {
  const header = { alg: 'RS256', typ: 'JWT', kid: keyId, x5t: keyId };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(unsigned), key).toString('base64url');
  return `${unsigned}.${signature}`;
}

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
