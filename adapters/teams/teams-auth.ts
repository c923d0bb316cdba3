import { readFileSync } from 'node:fs';
import {
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  ConfigurationServiceClientCredentialFactory,
} from 'botbuilder';
import { ConfigError } from '../../src/config/load.js';
import type { Env } from '../../src/config/schema.js';

/** botframework-connector's credentials factory, named through botbuilder's own signature. */
export type ServiceClientCredentialsFactory = NonNullable<
  ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[1]
>;

/**
 * Endpoint settings of botbuilder's ConfigurationBotFrameworkAuthentication, under
 * botbuilder's own names. Leaving all of them unset selects the public Azure cloud. Setting
 * any of them makes botbuilder use exactly the given set, so a private cloud or a test
 * must set all of them.
 */
export interface BotFrameworkEndpoints {
  readonly ToChannelFromBotLoginUrl: string;
  readonly ToChannelFromBotOAuthScope: string;
  readonly ToBotFromChannelTokenIssuer: string;
  readonly ToBotFromChannelOpenIdMetadataUrl: string;
  readonly ToBotFromEmulatorOpenIdMetadataUrl: string;
  readonly OAuthUrl: string;
  readonly CallerId: string;
  readonly ValidateAuthority: boolean;
}

/** True when no app id is set, so the bot accepts unsigned activities. */
export function authenticationDisabled(config: Readonly<Env>): boolean {
  return config.MICROSOFT_APP_ID === undefined;
}

/**
 * Raises ConfigError when authentication would be off outside development: without an
 * app id, anyone who can reach /api/messages could speak as any user.
 */
export function assertAuthenticationConfigured(config: Readonly<Env>): void {
  if (!authenticationDisabled(config) || config.NODE_ENV === 'development') return;
  throw new ConfigError([
    'MICROSOFT_APP_ID is missing: set the bot app id, or NODE_ENV=development to try the bot unauthenticated in the Bot Framework Emulator',
  ]);
}

/** botbuilder's credential settings, from MICROSOFT_APP_* and the certificate key file. */
export function credentialSettings(
  config: Readonly<Env>,
): ConfigurationBotFrameworkAuthenticationOptions {
  // Without an app id botbuilder turns authentication off, whatever the app type is.
  if (authenticationDisabled(config)) return {};
  const settings: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: config.MICROSOFT_APP_ID,
    MicrosoftAppPassword: config.MICROSOFT_APP_PASSWORD,
    MicrosoftAppType: config.MICROSOFT_APP_TYPE,
    MicrosoftAppTenantId: config.MICROSOFT_APP_TENANT_ID,
  };
  const thumbprint = config.MICROSOFT_APP_CERTIFICATE_THUMBPRINT;
  const keyFile = config.MICROSOFT_APP_CERTIFICATE_KEY_FILE;
  if (thumbprint === undefined && keyFile === undefined) return settings;
  if (thumbprint === undefined || keyFile === undefined) {
    throw new ConfigError([
      'MICROSOFT_APP_CERTIFICATE_THUMBPRINT and MICROSOFT_APP_CERTIFICATE_KEY_FILE must be set together: set both to sign in with a certificate, or neither to use MICROSOFT_APP_PASSWORD',
    ]);
  }
  return {
    ...settings,
    CertificateThumbprint: thumbprint,
    CertificatePrivateKey: readKeyFile(keyFile),
  };
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError([
      `MICROSOFT_APP_CERTIFICATE_KEY_FILE=${JSON.stringify(path)} could not be read (${reason}): point it at the PEM private key of the app certificate`,
    ]);
  }
}

/**
 * Builds the Bot Framework authentication: inbound JWT checks and outbound credentials.
 * botbuilder checks the credential settings with assertions, which become a ConfigError.
 */
export function createAuthentication(
  config: Readonly<Env>,
  endpoints: BotFrameworkEndpoints | undefined,
  credentialsFactory: ServiceClientCredentialsFactory | undefined,
): ConfigurationBotFrameworkAuthentication {
  const settings = credentialSettings(config);
  try {
    const factory = credentialsFactory ?? new ConfigurationServiceClientCredentialFactory(settings);
    return new ConfigurationBotFrameworkAuthentication({ ...settings, ...endpoints }, factory);
  } catch (error) {
    const reason = (error as Error).message;
    throw new ConfigError([`Microsoft Teams settings are invalid: ${reason}`]);
  }
}
